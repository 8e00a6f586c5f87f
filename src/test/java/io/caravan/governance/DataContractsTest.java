package io.caravan.governance;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.testing.OdcsSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** ODCS contracts of the shipped agreement and of an agreement with tokens, vocabularies and generalised columns. */
class DataContractsTest {
    private static final ProcessingRecord.Contact CONTROLLER =
            new ProcessingRecord.Contact("Caravan Demo Motors GmbH", "privacy@example.com", null, null);
    private static final ProcessingRecord.Contact DPO = new ProcessingRecord.Contact("Data Protection Officer", "dpo@example.com", null, null);

    @TempDir
    Path config;

    private static DataContracts contracts(RecordInputs in) {
        return new DataContracts(in.agreements(), in.policies(), in.purposes(), in.connectors(), in.retention(),
                () -> CONTROLLER, () -> DPO);
    }

    @Test
    void everyShippedContractValidatesAgainstTheOfficialOdcsSchema() {
        DataContracts contracts = contracts(ShippedConfig.inputs());
        assertThat(contracts.list()).extracting(DataContracts.Summary::id).containsExactly("fahrbank-financed-sales", "dealer-nord-lead-routing", "id4-prospects-google");
        // the schema does refuse: no id, no status, an unknown apiVersion, a property without a name
        assertThat(OdcsSchema.problems("apiVersion: v9\nkind: DataContract\nversion: '1'\nschema: [{name: t, properties: [{logicalType: string}]}]\n"))
                .hasSizeGreaterThanOrEqualTo(4);
        for (DataContracts.Summary summary : contracts.list()) {
            String yaml = contracts.yaml(summary.id()).orElseThrow();
            assertThat(OdcsSchema.problems(yaml)).as(summary.id()).isEmpty();
        }
    }

    @Test
    void shippedContractHoldsSchemaClassificationSlaPurposeAndContact() {
        JsonNode contract = new YAMLMapper().readTree(contracts(ShippedConfig.inputs()).yaml("fahrbank-financed-sales").orElseThrow());
        assertThat(contract.path("apiVersion").asString()).isEqualTo("v3.1.0");
        assertThat(contract.path("id").asString()).isEqualTo("fahrbank-financed-sales");
        JsonNode properties = contract.path("schema").get(0).path("properties");
        assertThat(properties).extracting(p -> p.path("name").asString()).containsExactly("sale_id", "sale_date", "make",
                "model", "model_year", "fuel_type", "condition", "price_amount", "currency", "financed", "postcode_area",
                "subject_token");
        Map<String, JsonNode> props = new java.util.LinkedHashMap<>();
        properties.forEach(p -> props.put(p.path("name").asString(), p));
        assertThat(props.get("sale_id").path("required").asBoolean()).isTrue();
        assertThat(props.get("sale_date").path("logicalType").asString()).isEqualTo("date");
        assertThat(props.get("price_amount").path("physicalType").asString()).isEqualTo("numeric");
        assertThat(props.get("model_year").path("logicalType").asString()).isEqualTo("integer");
        assertThat(props.get("postcode_area").path("classification").asString()).isEqualTo("generalised");
        assertThat(props.get("postcode_area").path("transformSourceObjects").get(0).asString()).isEqualTo("postcode");
        assertThat(props.get("subject_token").path("classification").asString()).isEqualTo("pseudonymised-token");
        assertThat(props.get("subject_token").path("required").asBoolean()).isFalse();
        assertThat(props.get("make").path("classification").asString()).isEqualTo("internal");
        assertThat(props.get("fuel_type").path("quality").findValuesAsString("metric")).contains("invalidValues");
        assertThat(props.get("fuel_type").path("quality").get(0).path("arguments").path("validValues"))
                .extracting(JsonNode::asString).contains("bev", "diesel", "petrol");
        assertThat(props.get("sale_id").path("quality").get(0).path("metric").asString()).isEqualTo("nullValues");
        assertThat(contract.path("slaProperties")).extracting(s -> s.path("property").asString() + "=" + s.path("value").asString())
                .containsExactly("frequency=0 0 4 1 * ?", "latency=0", "retention=3650", "endOfLife=2027-12-31");
        assertThat(contract.path("description").path("purpose").asString()).startsWith("partner_sharing (Partner sharing, legal basis consent)");
        assertThat(contract.path("support")).extracting(s -> s.path("url").asString())
                .containsExactly("mailto:privacy@example.com", "mailto:dpo@example.com");
    }

    @Test
    void tokensVocabulariesAndGeneralisedColumnsOfAnotherAgreementAreClassifiedAndStillValid() throws IOException {
        for (String file : List.of("purposes.yaml", "policies.yaml", "partners.yaml", "vocabularies.yaml", "consent-feeds.yaml",
                "tcf.yaml", "application.yaml")) {
            Files.copy(Path.of("config", file), config.resolve(file));
        }
        Files.writeString(config.resolve("agreements.yaml"), """
                agreements:
                  - id: dealer-nord-leads
                    title: Leads for Autohaus Nord
                    partner: dealer-nord
                    dataset:
                      table: lead
                      columns: [lead_id, lead_at, request_type, funnel_stage, postcode_area, email_token, subject_token]
                    purpose: marketing_activation
                    policy: partner-dealer-nord
                    validUntil: 2026-12-31
                    format: json
                    transport: { type: outbox }
                """);
        DataContracts contracts = contracts(ShippedConfig.inputs(config, Path.of("routes")));
        String yaml = contracts.yaml("dealer-nord-leads").orElseThrow();
        assertThat(OdcsSchema.problems(yaml)).isEmpty();
        JsonNode contract = new YAMLMapper().readTree(yaml);
        Map<String, JsonNode> props = new java.util.LinkedHashMap<>();
        contract.path("schema").get(0).path("properties").forEach(p -> props.put(p.path("name").asString(), p));
        assertThat(props.get("email_token").path("classification").asString()).isEqualTo("pseudonymised-token");
        assertThat(props.get("email_token").path("transformSourceObjects").get(0).asString()).isEqualTo("email");
        assertThat(props.get("lead_at").path("logicalType").asString()).isEqualTo("timestamp");
        assertThat(props.get("request_type").path("quality").get(0).path("arguments").path("validValues"))
                .extracting(JsonNode::asString).contains("test_drive", "quote");
        assertThat(contract.path("slaProperties").findValuesAsString("property")).containsExactly("latency", "retention", "endOfLife");
        assertThat(yaml).doesNotContain("key_id", "password", "secret");
        assertThat(contracts.yaml("no-such-agreement")).isEmpty();
    }
}
