package io.caravan.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.consent.PurposeRegistry;
import io.caravan.ledger.BatchSummary;
import io.caravan.pseudonymise.PolicyRegistry;
import io.openlineage.client.OpenLineage.RunEvent;
import io.openlineage.client.OpenLineageClientUtils;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchEventsTest {
    private static final ConnectorRegistry CONNECTORS = new ConnectorRegistry(Path.of("connectors"),
            Path.of("config/vocabularies.yaml"), Set.of("csv", "json", "adf-xml", "fixed-width"));
    private static final PolicyRegistry POLICIES = PolicyRegistry.load(Path.of("config/policies.yaml"));
    private static final PurposeRegistry PURPOSES = PurposeRegistry.load(Path.of("config/purposes.yaml"));
    private static final Instant STARTED = Instant.parse("2026-11-23T10:15:02Z");
    private static final BatchEvents EVENTS = new BatchEvents(URI.create("https://example.org/caravan"),
            URI.create("https://example.org/CaravanPrivacyRunFacet.json"), URI.create("https://example.org/CaravanBatchRunFacet.json"),
            "postgres://db.internal:5432");
    private static final RouteInfo ROUTE = new RouteInfo("dealer-nord-sales", "Monthly DMS sales", "routes/dealer-nord/sales.camel.yaml",
            "sha256:00", "file:/srv/caravan/sftp/dealer-nord/inbox?include=.*csv",
            List.of("harmonise:dealer-nord-sales", "consent:analytics", "pseudonymise:warehouse", "warehouse:sale"));

    private static BatchEvents.Batch batch(BatchSummary summary) {
        ConnectorDescriptor connector = CONNECTORS.get("dealer-nord-sales");
        return new BatchEvents.Batch("b-20261123-101502-3f9a1c2b", connector.id(), "dealer-nord", connector.dataClass(), STARTED,
                ROUTE, new SourceDatasets.DatasetName("sftp://caravan-gateway", "dealer-nord/inbox"), connector,
                POLICIES.find("warehouse").orElseThrow(), PURPOSES.require("analytics"), "k-1", summary, "sale");
    }

    private static BatchSummary summary(String status, String error) {
        return new BatchSummary("b-20261123-101502-3f9a1c2b", "dealer-nord-sales", "dealer-nord-sales", "dealer-nord",
                "verkaeufe_2026-10.csv", STARTED, STARTED.plusSeconds(2), status, 40, 34, 5, 0, 0, 1, 1, error, null);
    }

    @Test
    void startAndEndShareTheRunIdDerivedFromTheBatch() {
        RunEvent start = EVENTS.start(batch(null));
        RunEvent end = EVENTS.end(batch(summary(BatchSummary.COMPLETED, null)), false);
        assertThat(start.getEventType()).isEqualTo(RunEvent.EventType.START);
        assertThat(end.getEventType()).isEqualTo(RunEvent.EventType.COMPLETE);
        assertThat(end.getRun().getRunId()).isEqualTo(start.getRun().getRunId())
                .isEqualTo(BatchEvents.runId("b-20261123-101502-3f9a1c2b"));
        assertThat(start.getOutputs().get(0).getOutputFacets()).as("no counts before the batch ends").isNull();
        assertThat(end.getOutputs().get(0).getOutputFacets().getOutputStatistics().getRowCount()).isEqualTo(34L);
    }

    @Test
    void aFailedBatchEndsWithFailAndItsReasonWithoutTheSourceFileName() {
        RunEvent end = EVENTS.end(batch(summary(BatchSummary.FAILED,
                "verkaeufe_2026-10.csv: row 12: ragged row: 9 values where the header has 22")), false);
        assertThat(end.getEventType()).isEqualTo(RunEvent.EventType.FAIL);
        assertThat(end.getRun().getFacets().getErrorMessage().getMessage())
                .isEqualTo("<source file>: row 12: ragged row: 9 values where the header has 22");
        assertThat(OpenLineageClientUtils.toJson(end)).doesNotContain("verkaeufe");
    }

    @Test
    void anInterruptedBatchEndsWithAbort() {
        assertThat(EVENTS.end(batch(summary(BatchSummary.FAILED, "interrupted: the node stopped")), true).getEventType())
                .isEqualTo(RunEvent.EventType.ABORT);
    }

    @Test
    void columnLineageNamesEachTransformationAndLeavesDroppedFieldsOut() {
        String json = OpenLineageClientUtils.toJson(EVENTS.end(batch(summary(BatchSummary.COMPLETED, null)), false));
        assertThat(json).contains("\"email_token\":{\"inputFields\":[{\"namespace\":\"sftp://caravan-gateway\","
                + "\"name\":\"dealer-nord/inbox\",\"field\":\"E-Mail\",\"transformations\":[{\"type\":\"DIRECT\","
                + "\"subtype\":\"TRANSFORMATION\",\"description\":\"hmac\",\"masking\":true}]}]}");
        assertThat(json).contains("\"make\":{\"inputFields\":[{\"namespace\":\"sftp://caravan-gateway\",\"name\":\"dealer-nord/inbox\","
                + "\"field\":\"Marke\",\"transformations\":[{\"type\":\"DIRECT\",\"subtype\":\"IDENTITY\",\"description\":\"copy\"");
        assertThat(json).doesNotContain("\"first_name\":{", "\"street\":{");
        assertThat(json).contains("\"_schemaURL\":\"https://example.org/CaravanPrivacyRunFacet.json\"",
                "\"purpose\":\"analytics\"", "\"legalBasis\":\"legitimate_interest\"", "\"dataClass\":\"first_party\"", "\"keyDomain\":\"warehouse\"", "\"keyId\":\"k-1\"");
    }

    @Test
    void sourcesAreNamedWithoutCredentialsQueriesOrFileNames() {
        SourceDatasets sources = new SourceDatasets(Path.of("/srv/caravan/sftp"), "sftp://caravan-gateway", "node-1",
                text -> text.replace("{{caravan.partners.autoboerse.base-url}}", "https://api.autoboerse.example:8443/partner"));
        assertThat(sources.of(ROUTE, null, false))
                .isEqualTo(new SourceDatasets.DatasetName("sftp://caravan-gateway", "dealer-nord/inbox"));
        RouteInfo remote = new RouteInfo("r", null, null, null,
                "sftp://caravan:s3cret@sftp.dealer-sued.example:2022/exports/out?privateKeyFile=/k&username=caravan", List.of());
        assertThat(sources.of(remote, null, false))
                .isEqualTo(new SourceDatasets.DatasetName("sftp://sftp.dealer-sued.example:2022", "exports/out"));
        RouteInfo camelStyle = new RouteInfo("r", null, null, null, "sftp:sftp.dealer-sued.example:22/outbox?password=x", List.of());
        assertThat(sources.of(camelStyle, null, false))
                .isEqualTo(new SourceDatasets.DatasetName("sftp://sftp.dealer-sued.example:22", "outbox"));
        RouteInfo api = new RouteInfo("autoboerse-leads-api", null, null, null, "quartz:caravan-api/x?cron=0", List.of("fetch:autoboerse-leads-api"));
        assertThat(sources.of(api, CONNECTORS.get("autoboerse-leads-api"), true))
                .isEqualTo(new SourceDatasets.DatasetName("https://api.autoboerse.example:8443", "/partner/v1/leads"));
        RouteInfo local = new RouteInfo("r", null, null, null, "file:/var/drop/partner-x?include=.*", List.of());
        assertThat(sources.of(local, null, false)).isEqualTo(new SourceDatasets.DatasetName("file://node-1", "/var/drop/partner-x"));
    }

    @Test
    void warehouseNamespaceComesFromTheJdbcUrlWithoutUserOrParameters() {
        assertThat(LineageConfiguration.namespaceOf("jdbc:postgresql://db.internal:6543/caravan?user=caravan&password=x"))
                .isEqualTo("postgres://db.internal:6543");
        assertThat(LineageConfiguration.namespaceOf("jdbc:postgresql://localhost/caravan")).isEqualTo("postgres://localhost:5432");
    }
}
