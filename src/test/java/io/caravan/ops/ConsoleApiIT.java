package io.caravan.ops;

import static io.caravan.testing.ApiClient.basic;
import static io.caravan.testing.ApiClient.json;
import static io.caravan.testing.ApiClient.texts;
import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import io.caravan.testing.ApiClient;
import io.caravan.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The console's API (dashboards, privacy counts, partner exports, {@code /api/me}), the OpenAPI
 * description, health contributors and the console's static files, over HTTP against a real
 * PostgreSQL and the real security configuration: every endpoint for every role, and bad input of
 * many kinds answered {@code 400}/{@code 404} JSON, never {@code 500}.
 */
@SpringBootTest(classes = OpsApiIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.embedded.enabled=false",
        "caravan.data-dir=target/console-it-data",
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
        // the test routes' file consumer waits an hour before its first poll, which Camel's readiness
        // check reports DOWN; here health is about the console's own contributors
        "camel.health.enabled=false",
})
@AutoConfigureMetrics
class ConsoleApiIT {
    private static final String VIEWER = basic("vera", "vera-test-pass");
    private static final String OPERATOR = basic("otto", "otto-test-pass");
    private static final String TOKEN_A = "a".repeat(64);
    private static final String TOKEN_B = "b".repeat(64);

    @TempDir
    static Path inbox;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.fresh("console_it");
        registry.add("spring.datasource.url", () -> TestDatabase.jdbcUrl("console_it"));
        registry.add("caravan.it.inbox", () -> inbox.toString());
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    PartnerApiHealth partnerApis;

    private ApiClient api;

    @BeforeEach
    void cleanTables() {
        api = ApiClient.onLocalhost(port);
        for (String table : List.of("campaign_performance", "sale", "consent_event", "suppression", "audit_event",
                "export_log", "export", "rejection", "batch_warning", "batch")) {
            jdbc.update("DELETE FROM caravan." + table);
        }
    }

    // ---- every endpoint x role ---------------------------------------------------------------

    static Stream<Arguments> readEndpoints() {
        return Stream.of("/api/me", "/api/routes", "/api/batches", "/api/dashboards/media-vs-sales", "/api/privacy/stats",
                "/api/partners/exports", "/api/openapi", "/api/openapi.yaml").map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("readEndpoints")
    void readEndpointsNeedAUserAndAnswerViewersAndOperators(String path) throws Exception {
        HttpResponse<String> anonymous = api.get(path, null);
        assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
        assertThat(json(anonymous).path("error").asString()).isNotBlank();
        assertThat(api.get(path, basic("vera", "wrong")).statusCode()).as(path).isEqualTo(401);
        assertThat(api.get(path, VIEWER).statusCode()).as(path).isEqualTo(200);
        assertThat(api.get(path, OPERATOR).statusCode()).as(path).isEqualTo(200);
    }

    @Test
    void aBatchOfAnyIdNeedsAUserAndAnUnknownOneIs404ForViewerAndOperator() throws Exception {
        assertThat(api.get("/api/batches/b-1", null).statusCode()).isEqualTo(401);
        assertThat(api.get("/api/batches/b-1", VIEWER).statusCode()).isEqualTo(404);
        assertThat(api.get("/api/batches/b-1", OPERATOR).statusCode()).isEqualTo(404);
    }

    @Test
    void runNowIsRefusedToAnonymousAndViewersAndAcceptedForOperators() throws Exception {
        assertThat(api.post("/api/routes/it-quartz-flow/run", null, null).statusCode()).isEqualTo(401);
        assertThat(api.post("/api/routes/it-quartz-flow/run", VIEWER, null).statusCode()).isEqualTo(403);
        assertThat(api.post("/api/routes/it-quartz-flow/run", OPERATOR, null).statusCode()).isEqualTo(202);
    }

    @Test
    void readOnlyConsoleEndpointsRefuseOtherMethodsEvenToOperators() throws Exception {
        for (String path : List.of("/api/dashboards/media-vs-sales", "/api/privacy/stats", "/api/partners/exports", "/api/me")) {
            assertThat(api.post(path, VIEWER, "{}").statusCode()).as(path).isEqualTo(403);
            HttpResponse<String> operator = api.post(path, OPERATOR, "{}");
            assertThat(operator.statusCode()).as(path).isEqualTo(405);
            assertThat(json(operator).path("error").asString()).isNotBlank();
        }
    }

    @Test
    void meNamesTheUserAndTheRolesItHolds() throws Exception {
        assertThat(texts(json(api.get("/api/me", VIEWER)).path("roles"))).containsExactly("viewer");
        JsonNode operator = json(api.get("/api/me", OPERATOR));
        assertThat(operator.path("name").asString()).isEqualTo("otto");
        assertThat(texts(operator.path("roles"))).containsExactly("operator", "viewer");
    }

    // ---- media spend versus sales ---------------------------------------------------------------

    @Test
    void mediaVsSalesJoinsSpendAndSalesPerWeekAndNormalisedModel() throws Exception {
        // week of Mon 2026-10-05: ID.4 spend 300 (two days, two spellings of the segment), 3 sales
        campaign("c1", "2026-10-05", "id4", "100.00", true);
        campaign("c2", "2026-10-07", "ID 4", "200.00", true);
        campaign("c3", "2026-10-08", "id4", "999.00", false); // name breaks the convention: not spend on a model
        sale("s1", "2026-10-05", "ID.4");
        sale("s2", "2026-10-09", "ID.4");
        sale("s3", "2026-10-11", "id.4");
        // week of 2026-10-12: Golf spend 50, no sale; ID.4 one sale, no spend
        campaign("c4", "2026-10-12", "golf", "50.00", true);
        sale("s4", "2026-10-13", "ID.4");

        List<Map<String, Object>> view = jdbc.queryForList(
                "SELECT week::text AS week, model, model_name, spend::text AS spend, sales, cost_per_sale::text AS cps "
                        + "FROM caravan.media_spend_vs_sales ORDER BY week, model");
        assertThat(view).extracting(r -> r.get("week") + " " + r.get("model") + " " + r.get("model_name") + " "
                        + r.get("spend") + " " + r.get("sales") + " " + r.get("cps"))
                .containsExactly(
                        "2026-10-05 id4 ID.4 300.00 3 100.00",
                        "2026-10-12 golf golf 50.00 0 null", // no sale names the model: the campaign's segment
                        "2026-10-12 id4 ID.4 0.00 1 null");

        JsonNode rows = json(api.get("/api/dashboards/media-vs-sales", VIEWER)).path("rows");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).path("week").asString()).isEqualTo("2026-10-05");
        assertThat(rows.get(0).path("modelName").asString()).isEqualTo("ID.4");
        assertThat(rows.get(0).path("spend").decimalValue()).isEqualByComparingTo("300");
        assertThat(rows.get(0).path("sales").asLong()).isEqualTo(3);
        assertThat(rows.get(0).path("costPerSale").decimalValue()).isEqualByComparingTo("100");
        assertThat(rows.get(0).path("currency").asString()).isEqualTo("EUR");
        assertThat(rows.get(1).path("costPerSale").isNull()).isTrue();

        assertThat(json(api.get("/api/dashboards/media-vs-sales?model=Id.4", VIEWER)).path("rows").findValuesAsString("model"))
                .containsOnly("id4").hasSize(2);
        assertThat(json(api.get("/api/dashboards/media-vs-sales?from=2026-10-06", VIEWER)).path("rows").findValuesAsString("week"))
                .containsOnly("2026-10-12");
        assertThat(json(api.get("/api/dashboards/media-vs-sales?to=2026-10-11", VIEWER)).path("rows").findValuesAsString("week"))
                .containsOnly("2026-10-05");
    }

    // ---- privacy counts -----------------------------------------------------------------------

    @Test
    void privacyStatsCountConsentEventsPerPurposeAndWeekErasuresAndSuppressionsWithoutTokens() throws Exception {
        Instant thisWeek = Instant.now();
        consent("e1", TOKEN_A, "analytics", "granted", thisWeek);
        consent("e2", TOKEN_B, "analytics", "withdrawn", thisWeek);
        consent("e3", TOKEN_A, "marketing_activation", "granted", thisWeek);
        consent("e4", TOKEN_A, "analytics", "granted", thisWeek.minusSeconds(400L * 24 * 3600)); // outside the window
        jdbc.update("INSERT INTO caravan.suppression (token, key_id, erasure_id) VALUES (?, 'k1', 'er1'), (?, 'k1', 'er1')",
                TOKEN_A, TOKEN_B);
        jdbc.update("INSERT INTO caravan.audit_event (actor, action, subject, detail) VALUES "
                + "('otto', 'erasure', ?, '{}'::jsonb), ('otto', 'consent.recorded', ?, '{}'::jsonb)", TOKEN_A, TOKEN_A);

        HttpResponse<String> answer = api.get("/api/privacy/stats?weeks=4", VIEWER);

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode stats = json(answer);
        assertThat(stats.path("consentEventsTotal").asLong()).isEqualTo(4);
        assertThat(stats.path("subjectsWithConsent").asLong()).isEqualTo(2);
        assertThat(stats.path("suppressionListSize").asLong()).isEqualTo(2);
        assertThat(stats.path("erasuresTotal").asLong()).isEqualTo(1);
        assertThat(stats.path("erasures")).hasSize(1);
        JsonNode events = stats.path("consentEvents");
        assertThat(events).hasSize(2);
        JsonNode analytics = events.get(0);
        assertThat(analytics.path("purpose").asString()).isEqualTo("analytics");
        assertThat(analytics.path("granted").asLong()).isEqualTo(1);
        assertThat(analytics.path("withdrawn").asLong()).isEqualTo(1);
        LocalDate monday = LocalDate.ofInstant(thisWeek, ZoneOffset.UTC).with(java.time.DayOfWeek.MONDAY);
        assertThat(analytics.path("week").asString()).isEqualTo(monday.toString());
        assertThat(stats.path("since").asString()).isEqualTo(monday.minusWeeks(3).toString());
        assertThat(answer.body()).doesNotContain(TOKEN_A).doesNotContain(TOKEN_B).doesNotContain("k1");
    }

    // ---- partner exports ------------------------------------------------------------------------

    @Test
    void partnerExportsCountPerAgreementAndShowManifestsWithoutKeyIds() throws Exception {
        export("x1", "insurer-a", "agr-1", "completed", 120, Instant.parse("2026-10-01T02:00:00Z"));
        export("x2", "insurer-a", "agr-1", "completed", 80, Instant.parse("2026-10-02T02:00:00Z"));
        export("x3", "insurer-a", "agr-1", "failed", 0, Instant.parse("2026-10-03T02:00:00Z"));
        export("x4", "leasing-b", "agr-7", "completed", 5, Instant.parse("2026-10-02T03:00:00Z"));

        HttpResponse<String> answer = api.get("/api/partners/exports?recent=2", VIEWER);

        JsonNode agreements = json(answer);
        assertThat(agreements.findValuesAsString("agreementId")).containsExactly("agr-1", "agr-7");
        JsonNode first = agreements.get(0);
        assertThat(first.path("partnerId").asString()).isEqualTo("insurer-a");
        assertThat(first.path("completed").asLong()).isEqualTo(2);
        assertThat(first.path("failed").asLong()).isEqualTo(1);
        assertThat(first.path("rowsSent").asLong()).isEqualTo(200);
        assertThat(first.path("lastSentAt").asString()).isEqualTo("2026-10-02T02:01:00Z");
        assertThat(first.path("recent").findValuesAsString("exportId")).containsExactly("x3", "x2");
        assertThat(first.path("recent").get(1).path("sha256").asString()).isEqualTo("f".repeat(64));
        assertThat(first.path("recent").get(1).path("fileName").asString()).isEqualTo("x2.csv");
        assertThat(answer.body()).doesNotContain("secret-key-id");
        assertThat(json(api.get("/api/partners/exports?partner=leasing-b", VIEWER)).findValuesAsString("partnerId"))
                .containsExactly("leasing-b");
    }

    // ---- bad input: never 500 -------------------------------------------------------------------

    static Stream<Arguments> badQueries() {
        return Stream.of(
                Arguments.of("/api/dashboards/media-vs-sales?from=yesterday", "from"),
                Arguments.of("/api/dashboards/media-vs-sales?to=2026-13-01", "to"),
                Arguments.of("/api/dashboards/media-vs-sales?from=2026-02-30", "from"),
                Arguments.of("/api/dashboards/media-vs-sales?from=2026-10-10&to=2026-10-01", "from"),
                Arguments.of("/api/dashboards/media-vs-sales?from=%00", "from"),
                Arguments.of("/api/dashboards/media-vs-sales?from=999999999-01-01", "from"),
                Arguments.of("/api/dashboards/media-vs-sales?model=" + "x".repeat(500), "model"),
                Arguments.of("/api/privacy/stats?weeks=abc", "weeks"),
                Arguments.of("/api/privacy/stats?weeks=0", "weeks"),
                Arguments.of("/api/privacy/stats?weeks=-3", "weeks"),
                Arguments.of("/api/privacy/stats?weeks=105", "weeks"),
                Arguments.of("/api/privacy/stats?weeks=99999999999999999999", "weeks"),
                Arguments.of("/api/privacy/stats?weeks=1.5", "weeks"),
                Arguments.of("/api/partners/exports?recent=0", "recent"),
                Arguments.of("/api/partners/exports?recent=2147483648", "recent"),
                Arguments.of("/api/partners/exports?recent=%F0%9F%98%80", "recent"),
                Arguments.of("/api/partners/exports?partner=" + "p".repeat(300), "partner"),
                Arguments.of("/api/batches?limit=1e3", "limit"),
                Arguments.of("/api/batches?status=COMPLETED%27%3B--", "status"),
                Arguments.of("/api/batches?route=" + "r".repeat(300), "route"));
    }

    @ParameterizedTest
    @MethodSource("badQueries")
    void badQueryParametersGet400NamingTheParameterNotItsValue(String path, String field) throws Exception {
        HttpResponse<String> answer = api.get(path, VIEWER);
        assertThat(answer.statusCode()).as(path).isEqualTo(400);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        JsonNode body = json(answer);
        assertThat(body.path("field").asString()).as(path).isEqualTo(field);
        assertThat(body.path("error").asString()).isNotBlank();
        assertThat(answer.body()).doesNotContain("yesterday").doesNotContain("xxxxxxxxxx").doesNotContain("COMPLETED");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/dashboards/media-vs-sales?unknown=1&from=2026-01-01", "/api/privacy/stats?weeks=2&weeks=3",
            "/api/partners/exports?partner=%27%20OR%201%3D1--", "/api/dashboards/media-vs-sales?model=%27%3B%20DROP%20TABLE%20x",
            "/api/batches?route=%E2%80%AE&partner=%20", "/api/dashboards/media-vs-sales?model=%C3%A9lectrique"})
    void oddButHarmlessQueriesAreAnswered200(String path) throws Exception {
        HttpResponse<String> answer = api.get(path, VIEWER);
        assertThat(answer.statusCode()).as(path).isEqualTo(200);
        assertThat(answer.body()).matches("(?s)[\\[{].*").doesNotContain("\"error\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/dashboards", "/api/dashboards/nope", "/api/privacy", "/api/privacy/stats/x",
            "/api/partners", "/api/batches/a/b/c", "/api/%2e%2e/actuator/env", "/api/batches/%252e%252e", "/api/dashboards/media-vs-sales/..;/x"})
    void oddPathsGetJsonErrorsNever500(String path) throws Exception {
        HttpResponse<String> answer = api.get(path, VIEWER);
        assertThat(answer.statusCode()).as(path).isIn(400, 404);
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("at io.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "[]", "null", "{\"a\":", "\u0000", "{\"routeId\": 12345678901234567890123}"})
    void garbageBodiesOnRunNowAreNeither500NorAccepted(String body) throws Exception {
        HttpResponse<String> unknown = api.post("/api/routes/no-such-route/run", OPERATOR, body);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").asString()).isEqualTo("no such route");
    }

    // ---- OpenAPI ----------------------------------------------------------------------------------

    @Test
    void openApiDescribesEveryConsoleAndOpsEndpointAndEachDescribedReadIsServed() throws Exception {
        JsonNode openApi = json(api.get("/api/openapi", VIEWER));
        assertThat(openApi.path("openapi").asString()).startsWith("3.");
        JsonNode paths = openApi.path("paths");
        List<String> documented = new ArrayList<>();
        paths.propertyNames().forEach(documented::add);
        assertThat(documented).contains("/api/routes", "/api/routes/{id}/run", "/api/batches", "/api/batches/{id}",
                "/api/me", "/api/dashboards/media-vs-sales", "/api/privacy/stats", "/api/partners/exports");
        assertThat(paths.path("/api/routes/{id}/run").has("post")).isTrue();
        assertThat(paths.path("/api/batches").path("get").path("parameters").findValuesAsString("name"))
                .contains("route", "partner", "status", "limit");
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            if (path.getValue().has("get") && !path.getKey().contains("{") && !path.getKey().startsWith("/api/it/")) {
                HttpResponse<String> answer = api.get(path.getKey(), VIEWER);
                if (answer.statusCode() == 404) {
                    // this test's context holds the ops API only; a capability it leaves out says so
                    assertThat(answer.body()).as(path.getKey()).contains("not configured");
                } else {
                    assertThat(answer.statusCode()).as(path.getKey()).isEqualTo(200);
                }
            }
        }
    }

    // ---- health ---------------------------------------------------------------------------------

    @Test
    void aFailingPartnerApiDegradesHealthAndItsNextSuccessRestoresIt() throws Exception {
        partnerApis.register("adplatform-meta");
        partnerApis.failed("adplatform-meta", "HTTP 503");
        try {
            HttpResponse<String> anonymous = api.get("/actuator/health", null);
            assertThat(anonymous.statusCode()).isEqualTo(200);
            assertThat(json(anonymous).path("status").asString()).isEqualTo("DEGRADED");
            assertThat(json(anonymous).has("components")).isFalse();

            JsonNode viewer = json(api.get("/actuator/health", VIEWER));
            JsonNode meta = viewer.path("components").path("partnerApis").path("components").path("adplatform-meta");
            assertThat(meta.path("status").asString()).isEqualTo("DEGRADED");
            assertThat(meta.path("details").path("reason").asString()).isEqualTo("HTTP 503");
            assertThat(meta.path("details").path("consecutiveFailures").asLong()).isEqualTo(1);
            assertThat(viewer.path("components").path("db").path("status").asString()).isEqualTo("UP");
            assertThat(viewer.path("components").path("sftpGateway").path("status").asString()).isEqualTo("UNKNOWN");
        } finally {
            partnerApis.succeeded("adplatform-meta");
        }
        JsonNode recovered = json(api.get("/actuator/health", VIEWER));
        assertThat(recovered.path("status").asString()).isEqualTo("UP");
        assertThat(recovered.path("components").path("partnerApis").path("components").path("adplatform-meta")
                .path("status").asString()).isEqualTo("UP");
    }

    // ---- the console's files ------------------------------------------------------------------------

    @Test
    void consoleFilesAreServedToAnyoneWithAContentSecurityPolicyAndHoldNoData() throws Exception {
        HttpResponse<String> page = api.get("/console/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Caravan console</title>").contains("console.js");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'").contains("script-src 'self'"));
        assertThat(api.get("/console/console.js", null).statusCode()).isEqualTo(200);
        assertThat(api.get("/console/console.css", null).statusCode()).isEqualTo(200);
        HttpResponse<String> root = api.get("/", null);
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValueSatisfying(v -> assertThat(v).endsWith("/console/"));
    }

    @Test
    void theConsolesOwnCallsGet401WithoutABrowserPasswordDialog() throws Exception {
        HttpResponse<String> console = api.send(api.request("/api/me", basic("vera", "wrong"))
                .header("X-Requested-With", "XMLHttpRequest").GET());
        assertThat(console.statusCode()).isEqualTo(401);
        assertThat(console.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(api.get("/api/me", basic("vera", "wrong")).headers().firstValue("WWW-Authenticate")).isPresent();
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private void campaign(String id, String day, String model, String spend, boolean valid) {
        jdbc.update("INSERT INTO caravan.campaign_performance (record_key, connector_id, partner_id, data_class, batch_id, "
                        + "ingested_at, platform, campaign_id, campaign_name, perf_date, impressions, clicks, spend_amount, "
                        + "currency, taxonomy_valid, model) VALUES (?, 'ads', 'adplatform', 'second_party', 'b', now(), 'meta', ?, ?, "
                        + "?::date, 1000, 10, ?::numeric, 'EUR', ?, ?)",
                id, id, "vw_de_" + model + "_consideration_social", day, spend, valid, model);
    }

    private void sale(String id, String day, String model) {
        jdbc.update("INSERT INTO caravan.sale (record_key, connector_id, partner_id, data_class, batch_id, ingested_at, "
                + "sale_id, sale_date, make, model, condition) VALUES (?, 'dms', 'dealer', 'first_party', 'b', now(), ?, ?::date, "
                + "'Volkswagen', ?, 'new')", id, id, day, model);
    }

    private void consent(String id, String token, String purpose, String status, Instant at) {
        jdbc.update("INSERT INTO caravan.consent_event VALUES (?, ?, ?, ?, 'consent', ?, 'preference-centre', 'k1')",
                id, token, purpose, status, Timestamp.from(at));
    }

    private void export(String id, String partner, String agreement, String status, long rows, Instant started) {
        jdbc.update("INSERT INTO caravan.export (export_id, partner_id, agreement_id, dataset, purpose, policy_id, key_id, "
                        + "transport, file_name, format, rows_exported, sha256, started_at, finished_at, status) "
                        + "VALUES (?, ?, ?, 'sale', 'partner_sharing', 'partner-basic', 'secret-key-id', 'sftp', ?, 'csv', ?, ?, ?, ?, ?)",
                id, partner, agreement, id + ".csv", rows, "f".repeat(64), Timestamp.from(started),
                Timestamp.from(started.plusSeconds(60)), status);
    }
}
