package io.caravan.ops;

import static io.caravan.testing.ApiClient.basic;
import static io.caravan.testing.ApiClient.json;
import static io.caravan.testing.ApiClient.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import tools.jackson.databind.JsonNode;
import io.caravan.ledger.JdbcLedger;
import io.caravan.ledger.Ledger;
import io.caravan.pipeline.BatchContext;
import io.caravan.testing.ApiClient;
import io.caravan.testing.TestDatabase;
import jakarta.servlet.http.HttpServletRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The ops API over HTTP against a real PostgreSQL (TestDatabase), real Camel routes from
 * {@code ops-it/flows.camel.yaml} and the real security configuration with fixed test users.
 */
@SpringBootTest(classes = OpsApiIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.embedded.enabled=false",
        "caravan.data-dir=target/ops-it-data",
        "caravan.security.users[0].name=vera",
        "caravan.security.users[0].password={noop}vera-test-pass",
        "caravan.security.users[0].roles[0]=viewer",
        "caravan.security.users[1].name=otto",
        "caravan.security.users[1].password={noop}otto-test-pass",
        "caravan.security.users[1].roles[0]=operator",
        "caravan.ops.run-wait=3s",
        "camel.main.routes-include-pattern=classpath:ops-it/*.camel.yaml",
        "spring.flyway.schemas=caravan",
        "spring.datasource.username=postgres",
})
@AutoConfigureMetrics // Spring Boot tests switch metrics export off unless asked
class OpsApiIT {
    private static final String VIEWER = basic("vera", "vera-test-pass");
    private static final String OPERATOR = basic("otto", "otto-test-pass");

    @TempDir
    static Path inbox;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.fresh("ops_it");
        registry.add("spring.datasource.url", () -> TestDatabase.jdbcUrl("ops_it"));
        registry.add("caravan.it.inbox", () -> inbox.toString());
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    BatchStep step;
    @Autowired
    JdbcLedger ledger;

    private ApiClient api;

    @BeforeEach
    void cleanLedger() {
        api = ApiClient.onLocalhost(port);
        jdbc.update("DELETE FROM caravan.rejection");
        jdbc.update("DELETE FROM caravan.batch_warning");
        jdbc.update("DELETE FROM caravan.batch");
        step.gate = null;
    }

    @AfterEach
    void openGate() {
        CountDownLatch gate = step.gate;
        if (gate != null) {
            gate.countDown();
        }
    }

    // ---- authentication and roles -----------------------------------------------------------

    @Test
    void anonymousCallsGet401WithJsonAndABasicChallenge() throws Exception {
        for (HttpResponse<String> answer : List.of(api.get("/api/routes", null), api.get("/api/batches", null),
                api.post("/api/routes/it-quartz-flow/run", null, null), api.get("/api/batches/x", null))) {
            assertThat(answer.statusCode()).as(answer.uri().getPath()).isEqualTo(401);
            assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            assertThat(json(answer).path("error").asString()).isNotBlank();
        }
    }

    @Test
    void wrongPasswordGets401() throws Exception {
        HttpResponse<String> answer = api.get("/api/routes", basic("vera", "not-her-password"));
        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).doesNotContain("vera");
    }

    @Test
    void viewerCannotRunARoute() throws Exception {
        HttpResponse<String> answer = api.post("/api/routes/it-quartz-flow/run", VIEWER, null);
        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("application/json"));
        assertThat(json(answer).path("error").asString()).contains("role");
        assertThat(count("SELECT count(*) FROM caravan.batch")).isZero();
    }

    @Test
    void operatorIncludesViewerAndReadsRoutesAndBatches() throws Exception {
        assertThat(api.get("/api/routes", OPERATOR).statusCode()).isEqualTo(200);
        assertThat(api.get("/api/batches", OPERATOR).statusCode()).isEqualTo(200);
    }

    // ---- GET /api/routes ------------------------------------------------------------------

    @Test
    void routesListsPartnerFlowsWithPartnerScheduleStateAndLastBatch() throws Exception {
        insertBatch("b-old", "it-quartz-flow", "partner-q", "completed", Instant.parse("2024-05-01T06:00:00Z"));
        insertBatch("b-new", "it-quartz-flow", "partner-q", "failed", Instant.parse("2024-05-02T06:00:00Z"));

        JsonNode routes = json(api.get("/api/routes", VIEWER));

        assertThat(routes.findValuesAsString("id")).containsExactly("it-file-flow", "it-quartz-flow", "it-stopped-flow");
        JsonNode quartz = byId(routes, "it-quartz-flow");
        assertThat(quartz.path("partner").asString()).isEqualTo("partner-q");
        assertThat(quartz.path("description").asString()).isEqualTo("Quartz-fired test flow");
        assertThat(quartz.path("state").asString()).isEqualTo("Started");
        assertThat(quartz.path("schedule").path("type").asString()).isEqualTo("cron");
        assertThat(quartz.path("schedule").path("cron").asString()).isEqualTo("0 0 3 1 1 ? 2099");
        assertThat(quartz.path("lastBatch").path("batchId").asString()).isEqualTo("b-new");
        assertThat(quartz.path("lastBatch").path("startedAt").asString()).isEqualTo("2024-05-02T06:00:00Z");

        JsonNode file = byId(routes, "it-file-flow");
        assertThat(file.path("schedule").path("type").asString()).isEqualTo("poll");
        assertThat(file.path("schedule").path("intervalMillis").asLong()).isEqualTo(3_600_000L);
        assertThat(file.path("lastBatch").isNull()).isTrue();
        assertThat(file.toString()).doesNotContain(inbox.toString());

        assertThat(byId(routes, "it-stopped-flow").path("state").asString()).isEqualTo("Stopped");
    }

    // ---- POST /api/routes/{id}/run ----------------------------------------------------------

    @Test
    void operatorRunsAQuartzFlowAndGets202WithTheBatchItOpened() throws Exception {
        HttpResponse<String> answer = api.post("/api/routes/it-quartz-flow/run", OPERATOR, null);

        assertThat(answer.statusCode()).isEqualTo(202);
        List<String> ids = texts(json(answer).path("batchIds"));
        assertThat(ids).hasSize(1);
        assertThat(jdbc.queryForObject("SELECT route_id FROM caravan.batch WHERE batch_id = ?", String.class, ids.get(0)))
                .isEqualTo("it-quartz-flow");
    }

    @Test
    void runningAFileFlowPollsItsInboxOnce() throws Exception {
        Files.writeString(inbox.resolve("sales-1.csv"), "id\n1\n");

        HttpResponse<String> answer = api.post("/api/routes/it-file-flow/run", OPERATOR, null);

        assertThat(answer.statusCode()).isEqualTo(202);
        List<String> ids = texts(json(answer).path("batchIds"));
        assertThat(ids).hasSize(1);
        assertThat(jdbc.queryForObject("SELECT source FROM caravan.batch WHERE batch_id = ?", String.class, ids.get(0)))
                .isEqualTo("sales-1.csv");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> !Files.exists(inbox.resolve("sales-1.csv")));
    }

    @Test
    void runningAFileFlowWithAnEmptyInboxFinishesWithNoBatch() throws Exception {
        HttpResponse<String> answer = api.post("/api/routes/it-file-flow/run", OPERATOR, null);

        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(json(answer).path("batchIds").size()).isZero();
        assertThat(json(answer).path("finished").asBoolean()).isTrue();
    }

    @Test
    void secondRunWhileTheFirstIsInProgressGets409() throws Exception {
        step.gate = new CountDownLatch(1);
        HttpResponse<String> first = api.post("/api/routes/it-quartz-flow/run", OPERATOR, null);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(json(first).path("finished").asBoolean()).isFalse();

        HttpResponse<String> second = api.post("/api/routes/it-quartz-flow/run", OPERATOR, null);
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(json(second).path("error").asString()).contains("in progress");

        step.gate.countDown();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> ledger.listenerCount() == 0);
        assertThat(api.post("/api/routes/it-quartz-flow/run", OPERATOR, null).statusCode()).isEqualTo(202);
    }

    @Test
    void runningAStoppedRouteGets409() throws Exception {
        HttpResponse<String> answer = api.post("/api/routes/it-stopped-flow/run", OPERATOR, null);
        assertThat(answer.statusCode()).isEqualTo(409);
        assertThat(json(answer).path("error").asString()).contains("not started");
    }

    @Test
    void runningAnUnknownRouteOrARouteWithoutPartnerGets404() throws Exception {
        assertThat(api.post("/api/routes/no-such-route/run", OPERATOR, null).statusCode()).isEqualTo(404);
        HttpResponse<String> internal = api.post("/api/routes/it-internal/run", OPERATOR, null);
        assertThat(internal.statusCode()).isEqualTo(404);
        assertThat(json(internal).path("error").asString()).isEqualTo("no such route");
    }

    // ---- GET /api/batches -------------------------------------------------------------------

    @Test
    void batchesAreNewestFirstAndFilterByRoutePartnerAndStatus() throws Exception {
        insertBatch("b1", "it-quartz-flow", "partner-q", "completed", Instant.parse("2024-05-01T06:00:00Z"));
        insertBatch("b2", "it-file-flow", "partner-f", "failed", Instant.parse("2024-05-02T06:00:00Z"));
        insertBatch("b3", "it-quartz-flow", "partner-q", "running", Instant.parse("2024-05-03T06:00:00Z"));

        assertThat(batchIds("/api/batches")).containsExactly("b3", "b2", "b1");
        assertThat(batchIds("/api/batches?route=it-quartz-flow")).containsExactly("b3", "b1");
        assertThat(batchIds("/api/batches?partner=partner-f")).containsExactly("b2");
        assertThat(batchIds("/api/batches?status=completed")).containsExactly("b1");
        assertThat(batchIds("/api/batches?route=&partner=&status=")).containsExactly("b3", "b2", "b1");
        assertThat(batchIds("/api/batches?limit=2")).containsExactly("b3", "b2");
    }

    @Test
    void badBatchFiltersGet400NamingTheParameter() throws Exception {
        assertBadRequest("/api/batches?status=done", "status");
        assertBadRequest("/api/batches?limit=abc", "limit");
        assertBadRequest("/api/batches?limit=0", "limit");
        assertBadRequest("/api/batches?limit=100000", "limit");
    }

    @Test
    void batchDetailCarriesRejectionsAndWarnings() throws Exception {
        insertBatch("b9", "it-file-flow", "partner-f", "completed", Instant.parse("2024-05-01T06:00:00Z"));
        jdbc.update("INSERT INTO caravan.rejection VALUES ('b9', 4, 'vin', 'VIN must have 17 characters')");
        jdbc.update("INSERT INTO caravan.rejection VALUES ('b9', 2, 'sale_date', 'not a date')");
        jdbc.update("INSERT INTO caravan.batch_warning VALUES ('b9', 3, 'email', 'e-mail domain must contain a dot')");

        HttpResponse<String> answer = api.get("/api/batches/b9", VIEWER);

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = json(answer);
        assertThat(body.path("batch").path("status").asString()).isEqualTo("completed");
        assertThat(body.path("batch").path("rowsIn").asLong()).isEqualTo(10);
        assertThat(body.path("rejections").findValuesAsString("field")).containsExactly("sale_date", "vin");
        assertThat(body.path("rejections").get(0).path("rowNumber").asLong()).isEqualTo(2);
        assertThat(body.path("warnings").findValuesAsString("field")).containsExactly("email");
    }

    @Test
    void unknownBatchGets404() throws Exception {
        HttpResponse<String> answer = api.get("/api/batches/no-such-batch", VIEWER);
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(json(answer).path("error").asString()).isEqualTo("no such batch");
    }

    // ---- bad input in general ---------------------------------------------------------------

    @Test
    void malformedJsonAndWrongTypesGet400NotTheirValues() throws Exception {
        HttpResponse<String> malformed = api.post("/api/it/echo", OPERATOR, "{\"count\": 3,");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).path("error").asString()).isEqualTo("malformed JSON");

        HttpResponse<String> wrongType = api.post("/api/it/echo", OPERATOR, "{\"count\": \"secret-value\"}");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(json(wrongType).path("field").asString()).isEqualTo("count");
        assertThat(wrongType.body()).doesNotContain("secret-value");

        HttpResponse<String> ok = api.post("/api/it/echo", OPERATOR, "{\"count\": 3}");
        assertThat(ok.statusCode()).isEqualTo(200);
    }

    @Test
    void unknownPathGets404AndWrongMethodGets405AsJson() throws Exception {
        HttpResponse<String> unknown = api.get("/api/nothing-here", VIEWER);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").asString()).isEqualTo("not found");

        HttpResponse<String> wrongMethod = api.send("DELETE", "/api/routes", OPERATOR, null);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(json(wrongMethod).path("error").asString()).isNotBlank();
    }

    // ---- Camel headers, actuator --------------------------------------------------------------

    @Test
    void inboundCamelHeadersAreStrippedInAnyCase() throws Exception {
        HttpResponse<String> answer = api.send(api.request("/api/it/headers", VIEWER)
                .header("CamelFileName", "../../etc/passwd")
                .header("camelHttpUri", "http://elsewhere")
                .header("CAMELSQLQUERY", "drop table x")
                .header("X-Partner-Note", "kept").GET());

        assertThat(answer.statusCode()).isEqualTo(200);
        List<String> names = texts(json(answer).path("names"));
        assertThat(names).contains("x-partner-note");
        assertThat(names).noneMatch(n -> n.toLowerCase().startsWith("camel"));
        assertThat(json(answer).path("camelFileName").isNull()).isTrue();
    }

    @Test
    void healthAndPrometheusAreOpenButHealthDetailsNeedAViewer() throws Exception {
        HttpResponse<String> anonymous = api.get("/actuator/health", null);
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(json(anonymous).path("status").asString()).isEqualTo("UP");
        assertThat(json(anonymous).has("components")).isFalse();

        HttpResponse<String> viewer = api.get("/actuator/health", VIEWER);
        assertThat(json(viewer).path("components").has("db")).isTrue();

        HttpResponse<String> metrics = api.get("/actuator/prometheus", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_");
    }

    @Test
    void otherActuatorEndpointsAreNotExposed() throws Exception {
        for (String path : List.of("/actuator/env", "/actuator/beans", "/actuator/configprops", "/actuator/heapdump")) {
            assertThat(api.get(path, OPERATOR).statusCode()).as(path).isEqualTo(404);
            assertThat(api.get(path, null).statusCode()).as(path).isEqualTo(401);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void assertBadRequest(String path, String field) {
        HttpResponse<String> answer = api.get(path, VIEWER);
        assertThat(answer.statusCode()).as(answer.uri().toString()).isEqualTo(400);
        assertThat(json(answer).path("field").asString()).isEqualTo(field);
        assertThat(json(answer).path("error").asString()).isNotBlank();
    }

    private List<String> batchIds(String path) throws Exception {
        HttpResponse<String> answer = api.get(path, VIEWER);
        assertThat(answer.statusCode()).as(path).isEqualTo(200);
        return json(answer).findValuesAsString("batchId");
    }

    private void insertBatch(String id, String route, String partner, String status, Instant startedAt) {
        boolean completed = status.equals("completed");
        jdbc.update("INSERT INTO caravan.batch (batch_id, route_id, connector_id, partner_id, source, started_at, "
                        + "finished_at, status, rows_in, rows_delivered, rows_rejected) VALUES (?, ?, 'c', ?, 'f.csv', ?, ?, ?, ?, ?, ?)",
                id, route, partner, Timestamp.from(startedAt), status.equals("running") ? null : Timestamp.from(startedAt.plusSeconds(5)),
                status, completed ? 10 : 0, completed ? 8 : 0, completed ? 2 : 0);
    }

    private long count(String sql) {
        return jdbc.queryForObject(sql, Long.class);
    }

    private static JsonNode byId(JsonNode routes, String id) {
        for (JsonNode route : routes) {
            if (route.path("id").asString().equals(id)) {
                return route;
            }
        }
        throw new AssertionError("no route " + id);
    }

    /** Only the ops and platform packages, so other capabilities' beans stay out of this test. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @ComponentScan(basePackages = {"io.caravan.ops", "io.caravan.platform"},
            excludeFilters = @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class))
    static class App {

        @Bean
        JdbcLedger ledger(DataSource dataSource) {
            return new JdbcLedger(dataSource);
        }

        /** What the reload and preview services of ops need from the packages this test does not scan. */
        @Bean
        io.caravan.connector.ConnectorRegistry connectorRegistry() {
            return new io.caravan.connector.ConnectorRegistry(java.nio.file.Path.of("connectors"),
                    java.nio.file.Path.of("config/vocabularies.yaml"), java.util.Set.of("csv", "fixed-width", "adf-xml", "json"));
        }

        @Bean
        io.caravan.harmonise.DryRun dryRun(io.caravan.connector.ConnectorRegistry connectors) {
            return new io.caravan.harmonise.DryRun(connectors, java.util.List.of());
        }

        @Bean
        io.caravan.audit.AuditTrail auditTrail(DataSource dataSource) {
            return new io.caravan.audit.AuditTrail(dataSource, new tools.jackson.databind.ObjectMapper());
        }

        @Bean("opsItBatchStep")
        BatchStep opsItBatchStep(Ledger ledger) {
            return new BatchStep(ledger);
        }

        @Bean
        TestEndpoints testEndpoints() {
            return new TestEndpoints();
        }
    }

    /** Opens a batch for the exchange's route, then waits at the gate when one is set. */
    static final class BatchStep implements Processor {
        private final Ledger ledger;
        volatile CountDownLatch gate;

        BatchStep(Ledger ledger) {
            this.ledger = ledger;
        }

        @Override
        public void process(Exchange exchange) throws Exception {
            String source = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, "scheduled", String.class);
            ledger.open(new BatchContext(UUID.randomUUID().toString(), exchange.getFromRouteId(), "it-connector",
                    "partner", "first_party", source, Instant.now()));
            CountDownLatch wait = gate;
            if (wait != null) {
                wait.await(10, TimeUnit.SECONDS);
            }
        }
    }

    record Echo(int count, String name) {
    }

    @RestController
    static class TestEndpoints {
        @GetMapping("/api/it/headers")
        java.util.Map<String, Object> headers(HttpServletRequest request) {
            java.util.Map<String, Object> answer = new java.util.HashMap<>();
            answer.put("names", Collections.list(request.getHeaderNames()));
            answer.put("camelFileName", request.getHeader("CamelFileName"));
            return answer;
        }

        @PostMapping("/api/it/echo")
        Echo echo(@RequestBody Echo echo) {
            return echo;
        }
    }
}
