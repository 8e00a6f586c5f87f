package io.caravan.deliver;

import io.caravan.error.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.consent.PurposeRegistry;
import io.caravan.pseudonymise.PolicyRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgreementRegistryTest {
    private static final PolicyRegistry POLICIES = PolicyRegistry.load(Path.of("config/policies.yaml"));
    private static final PurposeRegistry PURPOSES = PurposeRegistry.load(Path.of("config/purposes.yaml"));
    private static final Map<String, List<String>> WAREHOUSE = Map.of(
            "sale", List.of("record_key", "sale_id", "sale_date", "make", "email_token", "subject_token", "postcode_area",
                    "data_class"),
            "sale_view", List.of("sale_id", "email_token"));
    private static final String VALID = """
            agreements:
              - id: sales-share
                partner: fahrbank-leasing
                dataset: { table: sale, columns: [sale_id, sale_date, make, subject_token] }
                purpose: partner_sharing
                policy: partner-fahrbank-leasing
                validUntil: 2027-12-31
                schedule: "0 0 4 1 * ?"
                format: csv
                transport: { type: outbox }
            """;

    @TempDir
    Path dir;

    @Test
    void theRepositorysAgreementsFileIsValid() {
        AgreementRegistry registry = AgreementRegistry.load(Path.of("config/agreements.yaml"), POLICIES, PURPOSES,
                table -> switch (table) {
                    case "sale" -> List.of("sale_id", "sale_date", "make", "model", "model_year", "fuel_type",
                            "condition", "price_amount", "currency", "financed", "postcode_area", "subject_token", "data_class");
                    case "lead" -> List.of("lead_id", "lead_at", "request_type", "dealer_id", "make", "model", "model_year",
                            "email_enc", "phone_enc", "subject_token", "sealed_identifiers", "key_id", "data_class");
                    default -> List.<String>of();
                },
                s -> s);
        assertThat(registry.all()).extracting(Agreement::id)
                .containsExactly("fahrbank-financed-sales", "dealer-nord-lead-routing", "id4-prospects-google");
        assertThat(registry.find("id4-prospects-google").orElseThrow().activation().minimumAudience())
                .isEqualTo(AgreementRegistry.DEFAULT_MINIMUM_AUDIENCE);
        Agreement routing = registry.find("dealer-nord-lead-routing").orElseThrow();
        assertThat(routing.decrypt()).containsExactly("email_enc", "phone_enc");
        assertThat(routing.where()).containsEntry("dealer_id", List.of("HH-01", "HH-02", "KI-01"));
    }

    @Test
    void aValidAgreementIsReadWithItsColumnsInOrder() throws IOException {
        Agreement agreement = load(VALID).find("sales-share").orElseThrow();

        assertThat(agreement.columns()).containsExactly("sale_id", "sale_date", "make", "subject_token");
        assertThat(agreement.validUntil()).isEqualTo(LocalDate.of(2027, 12, 31));
        assertThat(agreement.validOn(LocalDate.of(2027, 12, 31))).isTrue();
        assertThat(agreement.validOn(LocalDate.of(2028, 1, 1))).isFalse();
        assertThat(agreement.transport()).isInstanceOf(Agreement.Outbox.class);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "columns: [sale_id, sale_date, make, subject_token]|columns: [sale_id, vin_token]|$.agreements[0].dataset.columns[1]: no column 'vin_token' in caravan.sale",
            "columns: [sale_id, sale_date, make, subject_token]|columns: [sale_id, record_key]|$.agreements[0].dataset.columns[1]: column 'record_key' is not released by policy 'partner-fahrbank-leasing'",
            "table: sale,|table: nothing,|$.agreements[0].dataset.table: no table or view caravan.nothing in the warehouse",
            "table: sale, columns: [sale_id, sale_date, make, subject_token]|table: sale_view, columns: [sale_id, email_token]|$.agreements[0].dataset.table: caravan.sale_view has token columns but no subject_token",
            "policy: partner-fahrbank-leasing|policy: warehouse|$.agreements[0].policy: policy 'warehouse' has key domain 'warehouse', not the partner 'fahrbank-leasing'",
            "policy: partner-fahrbank-leasing|policy: partner-nobody|$.agreements[0].policy: unknown policy 'partner-nobody'",
            "purpose: partner_sharing|purpose: gossip|$.agreements[0].purpose: unknown purpose 'gossip'",
            "0 0 4 1 * ?|every monday|$.agreements[0].schedule: not a valid Quartz cron expression",
            "validUntil: 2027-12-31|validUntil: 2027-02-30|$.agreements[0].validUntil: not a date",
            "{ type: outbox }|{ type: sftp, host: sftp.partner.test, username: caravan, privateKeyFile: k }|$.agreements[0].transport: required property 'knownHostsFile' not found",
            "{ type: outbox }|{ type: https, url: 'http://partner.test/in' }|$.agreements[0].transport.url: does not match",
            "format: csv|format: csv\\n    kAnonymity: { k: 5, quasiIdentifiers: [make, postcode_area] }|$.agreements[0].kAnonymity.quasiIdentifiers[1]: 'postcode_area' is not a column this agreement exports",
            "format: csv|format: csv\\n    kAnonymity: { k: 5, quasiIdentifiers: [make, sale_date], generalise: [make] }|$.agreements[0].kAnonymity.generalise[0]: no further generalisation step for 'make'",
            "format: csv|format: csv\\n    kAnonymity: { k: 5, quasiIdentifiers: [make], generalise: [sale_date] }|$.agreements[0].kAnonymity.generalise[0]: 'sale_date' is not one of the quasiIdentifiers",
            "format: csv|format: csv\\n    kAnonymity: { k: 1, quasiIdentifiers: [make] }|$.agreements[0].kAnonymity.k: must have a minimum value of 2"})
    void mistakesAreNamedWithFileAndPath(String original, String replacement, String expected) throws IOException {
        String yaml = VALID.replace(original, replacement.replace("\\n", "\n"));
        assertThat(yaml).isNotEqualTo(VALID);

        assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.resolve("agreements.yaml") + ": " + expected);
    }

    @Test
    void anAgreementLetsThroughEveryClassButThirdPartyUnlessItNamesIt() throws IOException {
        assertThat(load(VALID).find("sales-share").orElseThrow().dataClasses()).containsExactlyInAnyOrder(
                io.caravan.connector.DataClass.FIRST_PARTY, io.caravan.connector.DataClass.ZERO_PARTY,
                io.caravan.connector.DataClass.SECOND_PARTY);
        String named = VALID.replace("policy: partner-fahrbank-leasing",
                "policy: partner-fahrbank-leasing\n    dataClasses: [third_party]");
        assertThat(load(named).find("sales-share").orElseThrow().dataClasses())
                .containsExactly(io.caravan.connector.DataClass.THIRD_PARTY);
    }

    @Test
    void aDatasetWithoutDataClassesOrAnUnknownClassIsNamedWithFileAndPath() throws IOException {
        String noClass = VALID.replace("table: sale, columns: [sale_id, sale_date, make, subject_token]",
                "table: sale_view, columns: [sale_id]");
        assertThatThrownBy(() -> load(noClass)).isInstanceOf(ConfigException.class).hasMessageContaining(
                dir.resolve("agreements.yaml") + ": $.agreements[0].dataset.table: caravan.sale_view has no data_class column,"
                        + " so data classes cannot be checked at export time");
        String unknown = VALID.replace("policy: partner-fahrbank-leasing",
                "policy: partner-fahrbank-leasing\n    dataClasses: [first_party, fourth_party]");
        assertThatThrownBy(() -> load(unknown)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.resolve("agreements.yaml") + ": $.agreements[0].dataClasses[1]");
    }

    @Test
    void onlyAColumnThePolicyReleasesWithEncryptIsDecryptedAndRowFiltersNameColumns() throws IOException {
        String base = VALID.replace("table: sale, columns: [sale_id, sale_date, make, subject_token]",
                "table: sale, columns: [sale_id, email_token, subject_token]")
                .replace("policy: partner-fahrbank-leasing", "policy: partner-fahrbank-leasing\n    decrypt: [email_enc]");
        assertThatThrownBy(() -> load(base)).isInstanceOf(ConfigException.class).hasMessageContaining(
                dir.resolve("agreements.yaml") + ": $.agreements[0].decrypt[0]: 'email_enc' is not one of the dataset's columns");
        String where = VALID.replace("table: sale, columns: [sale_id, sale_date, make, subject_token]",
                "table: sale, columns: [sale_id, sale_date, make, subject_token], where: { dealer: [HH-01] }");
        assertThatThrownBy(() -> load(where)).isInstanceOf(ConfigException.class).hasMessageContaining(
                dir.resolve("agreements.yaml") + ": $.agreements[0].dataset.where.dealer: no column 'dealer' in caravan.sale");
    }

    @Test
    void duplicateIdsAreRefused() throws IOException {
        String twice = VALID + VALID.substring(VALID.indexOf("  - id"));

        assertThatThrownBy(() -> load(twice)).hasMessageContaining("$.agreements[1].id: duplicate agreement id 'sales-share'");
    }

    private AgreementRegistry load(String yaml) throws IOException {
        Path file = dir.resolve("agreements.yaml");
        Files.writeString(file, yaml);
        return AgreementRegistry.load(file, POLICIES, PURPOSES, t -> WAREHOUSE.getOrDefault(t, List.of()), s -> s);
    }
}
