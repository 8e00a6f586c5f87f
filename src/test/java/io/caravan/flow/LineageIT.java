package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caravan.config.JsonSchemas;
import io.caravan.platform.GeneratedUsers;
import io.caravan.testing.ApiClient;
import io.caravan.testing.Inbox;
import io.caravan.testing.LineageReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * OpenLineage end to end: the real application sends its run events to an HTTP receiver of the
 * test, configured the OpenLineage way (an {@code openlineage.yml}); the samples are ingested as
 * README command 1 ingests them.
 */
class LineageIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NORD = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final Path SUED = Path.of("samples/dealer-sued/deliveries_2026-10.csv");
    private static final List<String> FILE_ROUTES = List.of("dealer-nord-sales", "dealer-sued-deliveries",
            "allsecura-policies", "fahrbank-leasing-contracts", "kreditwerk-contracts", "autoboerse-leads-adf");

    @TempDir
    Path data;
    @TempDir
    Path config;

    private Path openlineageYml(LineageReceiver receiver, int timeoutMillis) throws Exception {
        Path file = config.resolve("openlineage.yml");
        Files.writeString(file, """
                transport:
                  type: http
                  url: %s
                  endpoint: /api/v1/lineage
                  timeoutInMillis: %d
                """.formatted(receiver.url(), timeoutMillis));
        return file;
    }

    @Test
    void receiverGetsStartAndEndOfEverySampleBatchWithSourcesTablesColumnLineageCountsAndNoRawValue() throws Exception {
        try (LineageReceiver receiver = LineageReceiver.start(LineageReceiver.Mode.ACCEPT);
             CaravanApp app = CaravanApp.start(data, "caravan.samples.seed=true",
                     "caravan.lineage.config-file=" + openlineageYml(receiver, 5000))) {
            for (String route : FILE_ROUTES) {
                app.awaitBatches(route, 1, WAIT);
            }
            app.awaitBatches("autoboerse-leads-adf", 2, WAIT);
            List<Map<String, Object>> batches = new ArrayList<>();
            await("START and an end event for every finished batch").atMost(WAIT).untilAsserted(() -> {
                batches.clear();
                batches.addAll(app.jdbc().queryForList("SELECT * FROM caravan.batch WHERE status <> 'running'"));
                Map<String, List<JsonNode>> byBatch = eventsByBatch(receiver.bodies());
                for (Map<String, Object> batch : batches) {
                    assertThat(byBatch.get((String) batch.get("batch_id"))).as("events of %s", batch.get("route_id")).hasSize(2);
                }
            });
            assertThat(batches).hasSizeGreaterThanOrEqualTo(FILE_ROUTES.size() + 1);
            Map<String, List<JsonNode>> byBatch = eventsByBatch(receiver.bodies());
            String warehouse = null;
            for (Map<String, Object> batch : batches) {
                List<JsonNode> events = byBatch.get((String) batch.get("batch_id"));
                JsonNode start = events.get(0);
                JsonNode end = events.get(1);
                assertThat(start.path("eventType").asString()).isEqualTo("START");
                assertThat(end.path("eventType").asString()).isEqualTo(batch.get("status").equals("completed") ? "COMPLETE" : "FAIL");
                assertThat(end.path("run").path("runId").asString()).isEqualTo(start.path("run").path("runId").asString());
                assertThat(end.path("job").path("namespace").asString()).isEqualTo("caravan");
                assertThat(end.path("job").path("name").asString()).isEqualTo(batch.get("route_id"));
                assertThat(end.path("inputs")).hasSize(1);
                assertThat(end.path("inputs").get(0).path("inputFacets").path("inputStatistics").path("rowCount").asLong())
                        .isEqualTo(batch.get("rows_in"));
                if (batch.get("status").equals("completed") && batch.get("target_table") != null) {
                    JsonNode output = end.path("outputs").get(0);
                    assertThat(output.path("name").asString()).isEqualTo("caravan." + batch.get("target_table"));
                    assertThat(output.path("namespace").asString()).matches("postgres://[^/@]+:\\d+");
                    warehouse = output.path("namespace").asString();
                    JsonNode stats = output.path("outputFacets").path("outputStatistics");
                    assertThat(stats.path("rowCount").asLong()).isEqualTo(batch.get("rows_delivered"));
                    assertThat(List.<Object>of(stats.path("rowsIn").asLong(), stats.path("rowsRejected").asLong(),
                            stats.path("rowsConsentFiltered").asLong(), stats.path("rowsSuppressed").asLong(),
                            stats.path("rowsDuplicate").asLong(), stats.path("warnings").asLong()))
                            .as("ledger counts of %s", batch.get("route_id"))
                            .containsExactly(batch.get("rows_in"), batch.get("rows_rejected"), batch.get("rows_consent_filtered"),
                                    batch.get("rows_suppressed"), batch.get("rows_duplicate"), batch.get("warnings"));
                    assertThat(output.path("facets").path("schema").path("fields").findValuesAsString("name"))
                            .contains(batch.get("target_table").equals("consent_event") ? "subject_token" : "record_key");
                }
                JsonNode privacy = end.path("run").path("facets").path("caravan_privacy");
                assertThat(JsonSchemas.validate(JsonSchemas.load("/io/caravan/lineage/CaravanPrivacyRunFacet.json"), privacy))
                        .as("caravan_privacy of %s against its schema", batch.get("route_id")).isEmpty();
                assertThat(JsonSchemas.validate(JsonSchemas.load("/io/caravan/lineage/CaravanBatchRunFacet.json"),
                        end.path("run").path("facets").path("caravan_batch"))).isEmpty();
            }

            // one batch in detail: the dealer's inbox into caravan.sale, column by column
            Map<String, Object> nord = app.awaitBatches("dealer-nord-sales", 1, WAIT).get(0);
            JsonNode end = byBatch.get((String) nord.get("batch_id")).get(1);
            JsonNode input = end.path("inputs").get(0);
            assertThat(input.path("namespace").asString()).isEqualTo("sftp://caravan-gateway");
            assertThat(input.path("name").asString()).isEqualTo("dealer-nord/inbox");
            assertThat(input.path("facets").path("schema").path("fields").findValuesAsString("name")).contains("E-Mail", "FIN");
            JsonNode job = end.path("job").path("facets").path("sourceCodeLocation");
            assertThat(job.path("path").asString()).isEqualTo("routes/dealer-nord/sales.camel.yaml");
            assertThat(job.path("version").asString()).isEqualTo("sha256:" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(Path.of("routes/dealer-nord/sales.camel.yaml")))));
            JsonNode columns = end.path("outputs").get(0).path("facets").path("columnLineage").path("fields");
            assertThat(transformation(columns, "email_token", "E-Mail")).isEqualTo("hmac/masking");
            assertThat(transformation(columns, "vin_token", "FIN")).isEqualTo("hmac/masking");
            assertThat(transformation(columns, "wmi", "FIN")).isEqualTo("generalise/masking");
            assertThat(transformation(columns, "postcode_area", "PLZ")).isEqualTo("generalise/masking");
            assertThat(transformation(columns, "fuel_type", "Kraftstoff")).isEqualTo("normalise");
            assertThat(columns.path("subject_token").path("inputFields").findValuesAsString("field")).contains("E-Mail");
            assertThat(columns.has("first_name")).isFalse();
            JsonNode privacy = end.path("run").path("facets").path("caravan_privacy");
            assertThat(privacy.path("purpose").asString()).isEqualTo("analytics");
            assertThat(privacy.path("dataClass").asString()).isEqualTo("first_party");
            assertThat(privacy.path("policy").asString()).isEqualTo("warehouse");
            assertThat(privacy.path("keyDomain").asString()).isEqualTo("warehouse");
            assertThat(privacy.path("fields").path("email").asString()).isEqualTo("hmac");
            assertThat(privacy.path("_schemaURL").asString()).endsWith("/io/caravan/lineage/CaravanPrivacyRunFacet.json");

            // no raw value of any sample file in any event
            // a word Caravan's own configuration uses (a partner id, a vocabulary term, a column name, a word of a
            // route's description) is not a raw value when an event names it: those are left out of the sweep
            String configuration = SampleValues.text(Path.of("routes"), Path.of("connectors"), Path.of("config"));
            Set<String> values = new java.util.LinkedHashSet<>(SampleValues.of(Path.of("samples")));
            values.removeIf(v -> SampleIdentifiers.occursIn(v, configuration));
            assertThat(values).hasSizeGreaterThan(1000).contains("lena.berger@example.com", "WVGZZZE2ZRP000301");
            String all = String.join("\n", receiver.bodies());
            List<String> leaked = values.stream().filter(v -> SampleIdentifiers.occursIn(v, all)).toList();
            assertThat(leaked).as("raw sample values in lineage events").isEmpty();
            assertThat(all).doesNotContain("verkaeufe_2026-10.csv", "KWVERTR_202610");

            // the same events are kept in the database, and the API shows where caravan.sale's rows came from
            String finalWarehouse = warehouse;
            await().atMost(WAIT).until(() -> app.jdbc().queryForObject("SELECT count(*) FROM caravan.lineage_event", Long.class)
                    >= receiver.bodies().size());
            GeneratedUsers.User viewer = app.bean(GeneratedUsers.class).users().stream()
                    .filter(u -> u.roles().contains("viewer")).findFirst().orElseThrow();
            ApiClient api = ApiClient.onLocalhost(app.port());
            java.net.http.HttpResponse<String> answer = api.get("/api/lineage/datasets", ApiClient.basic(viewer.name(), viewer.password()));
            assertThat(answer.statusCode()).isEqualTo(200);
            JsonNode sale = null;
            for (JsonNode dataset : JSON.readTree(answer.body())) {
                if (dataset.path("name").asString().equals("caravan.sale") && dataset.path("namespace").asString().equals(finalWarehouse)) {
                    sale = dataset;
                }
            }
            assertThat(sale).as("caravan.sale in /api/lineage/datasets").isNotNull();
            assertThat(sale.path("from").findValuesAsString("name")).contains("dealer-nord/inbox", "dealer-sued/inbox");
            assertThat(sale.path("from").findValuesAsString("job")).contains("dealer-nord-sales", "dealer-sued-deliveries");
        }
    }

    @Test
    void aBatchCompletesWithAnExactLedgerWhileTheReceiverHangsAndOverflowIsCountedAsDropped() throws Exception {
        try (LineageReceiver receiver = LineageReceiver.start(LineageReceiver.Mode.HANG);
             CaravanApp app = CaravanApp.start(data, "caravan.lineage.config-file=" + openlineageYml(receiver, 600_000),
                     "caravan.lineage.queue-capacity=1")) {
            Inbox.deliver(NORD, data.resolve("sftp/dealer-nord/inbox"));
            Map<String, Object> nord = app.awaitBatches("dealer-nord-sales", 1, WAIT).get(0);
            assertThat(counts(nord)).containsExactly("completed", 40L, 34L, 5L, 0L, 0L, 1L);
            Inbox.deliver(SUED, data.resolve("sftp/dealer-sued/inbox"));
            Map<String, Object> sued = app.awaitBatches("dealer-sued-deliveries", 1, WAIT).get(0);
            assertThat(counts(sued)).containsExactly("completed", 30L, 26L, 4L, 0L, 0L, 0L);
            assertThat(receiver.requests()).as("the backend took the first event and never answered").isEqualTo(1);

            MeterRegistry meters = app.bean(MeterRegistry.class);
            assertThat(meters.get("caravan.lineage.events").tag("sink", "http").tag("outcome", "dropped").counter().count())
                    .isGreaterThanOrEqualTo(1.0);
            assertThat(meters.get("caravan.lineage.events").tag("sink", "http").tag("outcome", "sent").counter().count()).isZero();
            // the database keeps every event: its sink has its own queue
            await().atMost(WAIT).untilAsserted(() -> assertThat(app.jdbc().queryForList(
                    "SELECT event_type FROM caravan.lineage_event ORDER BY event_id", String.class))
                    .containsExactly("START", "COMPLETE", "START", "COMPLETE"));
        }
    }

    @Test
    void aBackendAnswering500CostsAFailedMetricNeverABatch() throws Exception {
        try (LineageReceiver receiver = LineageReceiver.start(LineageReceiver.Mode.FAIL_500);
             CaravanApp app = CaravanApp.start(data, "caravan.lineage.config-file=" + openlineageYml(receiver, 5000))) {
            Inbox.deliver(NORD, data.resolve("sftp/dealer-nord/inbox"));
            Map<String, Object> nord = app.awaitBatches("dealer-nord-sales", 1, WAIT).get(0);
            assertThat(counts(nord)).containsExactly("completed", 40L, 34L, 5L, 0L, 0L, 1L);
            MeterRegistry meters = app.bean(MeterRegistry.class);
            await().atMost(WAIT).untilAsserted(() -> assertThat(
                    meters.get("caravan.lineage.events").tag("sink", "http").tag("outcome", "failed").counter().count())
                    .isEqualTo(2.0));
            assertThat(receiver.requests()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void exportsErasuresRetentionAndReKeySendTheirRunsToo() throws Exception {
        String adminPassword = "admin-" + java.util.UUID.randomUUID();
        try (LineageReceiver receiver = LineageReceiver.start(LineageReceiver.Mode.ACCEPT);
             CaravanApp app = CaravanApp.start(data, "caravan.lineage.config-file=" + openlineageYml(receiver, 5000),
                     "caravan.lineage.poll-interval=300ms", "caravan.security.users[0].name=key-admin",
                     "caravan.security.users[0].password={noop}" + adminPassword, "caravan.security.users[0].roles[0]=admin")) {
            Inbox.deliver(NORD, data.resolve("sftp/dealer-nord/inbox"));
            app.awaitBatches("dealer-nord-sales", 1, WAIT);
            ApiClient api = ApiClient.onLocalhost(app.port());
            GeneratedUsers.User user = app.bean(GeneratedUsers.class).users().get(0);
            String operator = ApiClient.basic(user.name(), user.password());
            String admin = ApiClient.basic("key-admin", adminPassword);
            assertThat(api.post("/api/consents", operator, JSON.writeValueAsString(Map.of("email", "lena.koch@example.com",
                    "purpose", "partner_sharing", "status", "granted", "capturedAt", "2026-10-01T10:00:00Z"))).statusCode())
                    .isEqualTo(201);
            assertThat(api.post("/api/agreements/fahrbank-financed-sales/run", operator, null).statusCode()).isEqualTo(202);
            assertThat(api.post("/api/erasures", operator, JSON.writeValueAsString(Map.of("email", "sophie.vogt1@example.com")))
                    .statusCode()).isEqualTo(200);
            assertThat(api.post("/api/retention/run", operator, null).statusCode()).isEqualTo(200);
            assertThat(api.post("/api/keys/warehouse/rotate", admin, null).statusCode()).isBetween(200, 201);
            assertThat(api.post("/api/keys/warehouse/rekey", admin, null).statusCode()).isEqualTo(200);

            await("export and privacy job events").atMost(WAIT).untilAsserted(() -> assertThat(jobs(receiver.bodies()))
                    .contains("START export/fahrbank-financed-sales", "COMPLETE export/fahrbank-financed-sales",
                            "START privacy/erasure", "COMPLETE privacy/erasure", "COMPLETE privacy/retention",
                            "COMPLETE privacy/rekey"));
            JsonNode export = last(receiver.bodies(), "COMPLETE", "export/fahrbank-financed-sales");
            assertThat(export.path("inputs").get(0).path("name").asString()).isEqualTo("caravan.sale");
            assertThat(export.path("outputs").get(0).path("namespace").asString()).isEqualTo("sftp://caravan-gateway");
            assertThat(export.path("outputs").get(0).path("name").asString()).startsWith("fahrbank-leasing/outbox/fahrbank-financed-sales-x-");
            Map<String, Object> run = app.jdbc().queryForMap("SELECT * FROM caravan.export WHERE agreement_id = 'fahrbank-financed-sales'");
            assertThat(export.path("outputs").get(0).path("outputFacets").path("outputStatistics").path("rowCount").asLong())
                    .isEqualTo(run.get("rows_exported"));
            JsonNode privacy = export.path("run").path("facets").path("caravan_privacy");
            assertThat(privacy.path("purpose").asString()).isEqualTo("partner_sharing");
            assertThat(privacy.path("keyDomain").asString()).isEqualTo("fahrbank-leasing");
            assertThat(JsonSchemas.validate(JsonSchemas.load("/io/caravan/lineage/CaravanPrivacyRunFacet.json"), privacy)).isEmpty();
            assertThat(JsonSchemas.validate(JsonSchemas.load("/io/caravan/lineage/CaravanOperationRunFacet.json"),
                    export.path("run").path("facets").path("caravan_operation"))).isEmpty();

            JsonNode erasure = last(receiver.bodies(), "COMPLETE", "privacy/erasure");
            JsonNode sale = null;
            for (JsonNode output : erasure.path("outputs")) {
                if (output.path("name").asString().equals("caravan.sale")) {
                    sale = output;
                }
            }
            assertThat(sale).isNotNull();
            assertThat(sale.path("outputFacets").path("outputStatistics").path("rowsDeleted").asLong()).isEqualTo(1L);
            JsonNode rekey = last(receiver.bodies(), "COMPLETE", "privacy/rekey");
            assertThat(rekey.path("run").path("facets").path("caravan_privacy").path("keyDomain").asString()).isEqualTo("warehouse");
            assertThat(rekey.path("outputs").findValuesAsString("name")).contains("caravan.sale");
            String all = String.join("\n", receiver.bodies());
            assertThat(all).doesNotContain("sophie.vogt1@example.com", "lena.koch@example.com", adminPassword);
            int before = receiver.bodies().size();
            Thread.sleep(1500);
            assertThat(receiver.bodies()).as("each job's events are sent once").hasSize(before);
        }
    }

    private static List<String> jobs(List<String> bodies) {
        return bodies.stream().map(JSON::readTree)
                .map(e -> e.path("eventType").asString() + " " + e.path("job").path("name").asString()).toList();
    }

    private static JsonNode last(List<String> bodies, String type, String job) {
        JsonNode found = null;
        for (String body : bodies) {
            JsonNode event = JSON.readTree(body);
            if (event.path("eventType").asString().equals(type) && event.path("job").path("name").asString().equals(job)) {
                found = event;
            }
        }
        return found;
    }

    @Test
    void anUnknownTransportTypeStopsStartUpNamingTheFileAndPath() throws Exception {
        Path file = config.resolve("openlineage.yml");
        Files.writeString(file, "transport:\n  type: carrier-pigeon\n");
        assertThatThrownBy(() -> CaravanApp.start(data, "caravan.lineage.config-file=" + file))
                .rootCause().hasMessage(file + ": $.transport.type: unknown transport type 'carrier-pigeon' (valid: console, file, http, kafka)");
    }

    private static String transformation(JsonNode columns, String column, String sourceColumn) {
        for (JsonNode field : columns.path(column).path("inputFields")) {
            if (field.path("field").asString().equals(sourceColumn)) {
                JsonNode t = field.path("transformations").get(0);
                return t.path("description").asString() + (t.path("masking").asBoolean() ? "/masking" : "");
            }
        }
        return "no lineage from " + sourceColumn + " to " + column;
    }

    private static Map<String, List<JsonNode>> eventsByBatch(List<String> bodies) {
        return bodies.stream().map(JSON::readTree)
                .collect(Collectors.groupingBy(e -> e.path("run").path("facets").path("caravan_batch").path("batchId").asString()));
    }

    private static List<Object> counts(Map<String, Object> batch) {
        return List.of(batch.get("status"), batch.get("rows_in"), batch.get("rows_delivered"), batch.get("rows_rejected"),
                batch.get("rows_consent_filtered"), batch.get("rows_suppressed"), batch.get("rows_duplicate"));
    }
}
