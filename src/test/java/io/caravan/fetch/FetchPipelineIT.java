package io.caravan.fetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.caravan.schedule.ConnectorLocks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API syncs through the real steps ({@code fetch → harmonise → taxonomy → warehouse}) into a real
 * PostgreSQL, against a real HTTP server (WireMock) playing the partner: paging styles, OAuth2
 * tokens, 429/5xx retries, budgets, malformed pages, host rules, restatements, state and locks.
 */
class FetchPipelineIT {
    private static final String RETRY = "  retry: { maxAttempts: 3, initialBackoff: PT0.01S, maxBackoff: PT0.05S, budget: PT30S }\n";

    static WireMockServer partner;
    static FetchPipeline pipeline;
    @TempDir
    static Path connectors;

    @BeforeAll
    static void start() throws Exception {
        partner = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        partner.start();
        FetchPipeline.write(connectors, "leads.yaml", """
                id: it-leads
                title: IT cursor-paged incremental leads
                partner: it-partner
                dataClass: second_party
                record: lead
                schedule: "0/1 * * * * ?"
                format: { type: json, records: leads }
                source:
                  baseUrl: "{{it.base-url}}"
                  path: /leads
                  query: { since: "${watermark}" }
                  paging: { style: cursor, cursorParam: cursor, cursorPath: next }
                  incremental: { field: updated_at, initial: "2026-01-01T00:00:00Z" }
                """ + RETRY + """
                naturalKey: [lead_id]
                fields:
                  lead_id: { column: id, type: text, required: true }
                  lead_at: { column: created_at, type: timestamp }
                  make: { column: vehicle.make, type: text }
                """);
        FetchPipeline.write(connectors, "pages.yaml", """
                id: it-pages
                title: IT page-numbered leads
                partner: it-partner
                dataClass: second_party
                record: lead
                format: { type: json, records: data }
                source:
                  baseUrl: "{{it.base-url}}"
                  path: /pages
                  paging: { style: page, pageParam: page, size: 2 }
                  incremental: { field: updated_at }
                """ + RETRY + """
                naturalKey: [lead_id]
                fields:
                  lead_id: { column: id, type: text, required: true }
                  make: { column: make, type: text }
                """);
        FetchPipeline.write(connectors, "ads.yaml", """
                id: it-ads
                title: IT searchStream report with OAuth2
                partner: it-ads
                dataClass: third_party
                record: campaign_performance
                format: { type: json, records: "[].results" }
                source:
                  baseUrl: "{{it.base-url}}"
                  path: /customers/42/googleAds:searchStream
                  body: '{"query": "... BETWEEN ''${window.from}'' AND ''${window.to}''"}'
                  paging: { style: stream }
                  window: { days: 3 }
                  auth:
                    type: oauth2-client-credentials
                    tokenUrl: "{{it.base-url}}/token"
                    clientId: "{{it.client-id}}"
                    clientSecret: "{{it.client-secret}}"
                """ + RETRY + """
                naturalKey: [platform, account_id, campaign_id, perf_date]
                constants: { platform: google_ads }
                fields:
                  account_id: { column: customer.id, type: text, required: true }
                  campaign_id: { column: campaign.id, type: text, required: true }
                  campaign_name: { column: campaign.name, type: text }
                  perf_date: { column: segments.date, type: date, required: true }
                  clicks: { column: metrics.clicks, type: integer }
                  spend_amount: { column: metrics.costMicros, type: decimal, scale: 6 }
                """);
        FetchPipeline.write(connectors, "meta.yaml", """
                id: it-meta
                title: IT insights paged by next links
                partner: it-meta
                dataClass: third_party
                record: campaign_performance
                format: { type: json, records: data }
                source:
                  baseUrl: "{{it.base-url}}"
                  path: /insights
                  paging: { style: link-next, nextPath: paging.next }
                """ + RETRY + """
                naturalKey: [platform, account_id, campaign_id, perf_date]
                constants: { platform: meta }
                fields:
                  account_id: { column: account_id, type: text, required: true }
                  campaign_id: { column: campaign_id, type: text, required: true }
                  campaign_name: { column: campaign_name, type: text }
                  perf_date: { column: date_start, type: date, required: true }
                  spend_amount: { column: spend, type: decimal }
                """);
        FetchPipeline.write(connectors, "down.yaml", """
                id: it-down
                title: IT partner that is down
                partner: it-partner
                dataClass: second_party
                record: lead
                format: { type: json, records: leads }
                source:
                  baseUrl: "{{it.down-url}}"
                  incremental: { field: updated_at }
                """ + RETRY + """
                naturalKey: [lead_id]
                fields:
                  lead_id: { column: id, type: text, required: true }
                """);
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        pipeline = new FetchPipeline("fetch_pipeline_it", connectors, Map.of("it.base-url", partner.baseUrl(),
                "it.client-id", "caravan-it", "it.client-secret", "s3cr3t-never-logged",
                "it.down-url", "http://127.0.0.1:" + closedPort + "/leads"),
                "it-leads", "it-pages", "it-ads", "it-meta", "it-down");
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        partner.stop();
    }

    @BeforeEach
    void reset() {
        partner.resetAll();
        pipeline.waits.clear();
        pipeline.jdbc.update("DELETE FROM caravan.connector_state");
    }

    // ---- paging and incremental state -------------------------------------------------------------

    @Test
    void cursorPagesAreFollowedAndTheWatermarkAdvancesToTheNewestCommittedRecord() {
        partner.stubFor(get(urlPathEqualTo("/leads")).withQueryParam("since", equalTo("2026-01-01T00:00:00Z"))
                .withQueryParam("cursor", com.github.tomakehurst.wiremock.client.WireMock.absent())
                .willReturn(okJson("{\"leads\":[" + lead("L-1", "2026-11-01T10:00:00Z") + "," + lead("L-2", "2026-11-02T10:00:00+01:00")
                                + "],\"next\":\"c2\"}")));
        partner.stubFor(get(urlPathEqualTo("/leads")).withQueryParam("cursor", equalTo("c2"))
                .willReturn(okJson("{\"leads\":[" + lead("L-3", "2026-11-03T08:00:00Z") + "],\"next\":null}")));

        pipeline.run("it-leads");

        assertThat(pipeline.counts(pipeline.lastBatch("it-leads"))).containsExactly("completed", 3L, 3L, 0L, 0L);
        assertThat(pipeline.jdbc.queryForList("SELECT lead_id FROM caravan.lead WHERE connector_id = 'it-leads' ORDER BY lead_id",
                String.class)).containsExactly("L-1", "L-2", "L-3");
        assertThat(pipeline.watermark("it-leads")).isEqualTo("2026-11-03T08:00:00Z");

        partner.resetAll();
        partner.stubFor(get(urlPathEqualTo("/leads")).willReturn(okJson("{\"leads\":[]}")));
        pipeline.run("it-leads");
        partner.verify(getRequestedFor(urlPathEqualTo("/leads")).withQueryParam("since", equalTo("2026-11-03T08:00:00Z")));
        assertThat(pipeline.counts(pipeline.lastBatch("it-leads"))).containsExactly("completed", 0L, 0L, 0L, 0L);
        assertThat(pipeline.watermark("it-leads")).isEqualTo("2026-11-03T08:00:00Z");
    }

    @Test
    void aMalformedPageIsRejectedByPageAndTheOtherPagesAreDelivered() {
        partner.stubFor(get(urlPathEqualTo("/pages")).withQueryParam("page", equalTo("1"))
                .willReturn(okJson("{\"data\":[{\"id\":\"P-1\",\"make\":\"VW\",\"updated_at\":\"2026-11-01T00:00:00Z\"},"
                        + "{\"id\":\"P-2\",\"make\":\"Audi\",\"updated_at\":\"2026-11-02T00:00:00Z\"}]}")));
        partner.stubFor(get(urlPathEqualTo("/pages")).withQueryParam("page", equalTo("2"))
                .willReturn(okJson("{\"data\":[{\"id\":\"P-3\",\"make\":\"Seat\"},\n{\"id\":\"P-4\", \"make\": Skoda}]}")));
        partner.stubFor(get(urlPathEqualTo("/pages")).withQueryParam("page", equalTo("3"))
                .willReturn(okJson("{\"data\":[{\"id\":\"P-5\",\"make\":\"Cupra\",\"updated_at\":\"2026-11-05T00:00:00Z\"}]}")));

        pipeline.run("it-pages");

        Map<String, Object> batch = pipeline.lastBatch("it-pages");
        assertThat(pipeline.counts(batch)).containsExactly("completed", 5L, 4L, 1L, 0L);
        assertThat(pipeline.jdbc.queryForList("SELECT row_number || ':' || field || ':' || reason FROM caravan.rejection WHERE batch_id = ?",
                String.class, batch.get("batch_id"))).containsExactly("4:page:page 2: malformed JSON at line 2, column 28");
        assertThat(pipeline.jdbc.queryForList("SELECT lead_id FROM caravan.lead WHERE connector_id = 'it-pages' ORDER BY lead_id",
                String.class)).containsExactly("P-1", "P-2", "P-3", "P-5");
        assertThat(pipeline.watermark("it-pages")).as("a page that could not be read is fetched again next time").isNull();
    }

    @Test
    void anExhaustedRetryBudgetFailsTheBatchAndLeavesTheWatermark() {
        pipeline.states().reset("it-leads", "2026-11-01T00:00:00Z", null, "test");
        partner.stubFor(get(urlPathEqualTo("/leads")).willReturn(aResponse().withStatus(503)));

        pipeline.run("it-leads");

        Map<String, Object> batch = pipeline.lastBatch("it-leads");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(failure(batch)).contains("it-leads: page 1: HTTP 503 after 3 attempt(s); retry budget exhausted");
        partner.verify(3, getRequestedFor(urlPathEqualTo("/leads")));
        assertThat(pipeline.waits).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20));
        assertThat(pipeline.watermark("it-leads")).isEqualTo("2026-11-01T00:00:00Z");
    }

    @Test
    void aPartnerThatIsDownFailsTheBatchWithTheReasonAndLeavesTheWatermark() {
        pipeline.states().reset("it-down", "2026-11-01T00:00:00Z", null, "test");

        pipeline.run("it-down");

        Map<String, Object> batch = pipeline.lastBatch("it-down");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(failure(batch)).isEqualTo("it-down: page 1: connection failed (ConnectException) after 3 attempt(s); retry budget exhausted");
        assertThat(pipeline.waits).hasSize(2);
        assertThat(pipeline.watermark("it-down")).isEqualTo("2026-11-01T00:00:00Z");
    }

    @Test
    void serverErrorsAreRetriedWithExponentialBackOffUntilTheAnswerComes() {
        partner.stubFor(get(urlPathEqualTo("/leads")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("second"));
        partner.stubFor(get(urlPathEqualTo("/leads")).inScenario("flaky").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(502)).willSetStateTo("up"));
        partner.stubFor(get(urlPathEqualTo("/leads")).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson("{\"leads\":[" + lead("L-9", "2026-11-09T00:00:00Z") + "]}")));

        pipeline.run("it-leads");

        assertThat(pipeline.counts(pipeline.lastBatch("it-leads"))).containsExactly("completed", 1L, 1L, 0L, 0L);
        assertThat(pipeline.waits).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20));
        assertThat(pipeline.watermark("it-leads")).isEqualTo("2026-11-09T00:00:00Z");
    }

    @Test
    void tooManyRequestsWaitsAsLongAsRetryAfterSays() {
        partner.stubFor(get(urlPathEqualTo("/leads")).inScenario("limited").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("ok"));
        partner.stubFor(get(urlPathEqualTo("/leads")).inScenario("limited").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"leads\":[" + lead("L-7", "2026-11-07T00:00:00Z") + "]}")));

        pipeline.run("it-leads");

        assertThat(pipeline.counts(pipeline.lastBatch("it-leads"))).containsExactly("completed", 1L, 1L, 0L, 0L);
        assertThat(pipeline.waits).containsExactly(Duration.ofSeconds(1));
    }

    // ---- OAuth2 ---------------------------------------------------------------------------------------

    @Test
    void anExpiredTokenIsReplacedAndA401GetsOneFreshToken() {
        partner.stubFor(post(urlPathEqualTo("/token")).inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"access_token\":\"t1\",\"token_type\":\"Bearer\",\"expires_in\":3600}")).willSetStateTo("t2"));
        partner.stubFor(post(urlPathEqualTo("/token")).inScenario("tokens").whenScenarioStateIs("t2")
                .willReturn(okJson("{\"access_token\":\"t2\",\"token_type\":\"Bearer\",\"expires_in\":3600}")).willSetStateTo("t3"));
        partner.stubFor(post(urlPathEqualTo("/token")).inScenario("tokens").whenScenarioStateIs("t3")
                .willReturn(okJson("{\"access_token\":\"t3\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        partner.stubFor(post(urlPathEqualTo("/customers/42/googleAds:searchStream")).withHeader("Authorization", equalTo("Bearer t1"))
                .willReturn(okJson(report("2026-11-20", "5000000"))));
        partner.stubFor(post(urlPathEqualTo("/customers/42/googleAds:searchStream")).withHeader("Authorization", equalTo("Bearer t2"))
                .willReturn(aResponse().withStatus(401)));
        partner.stubFor(post(urlPathEqualTo("/customers/42/googleAds:searchStream")).withHeader("Authorization", equalTo("Bearer t3"))
                .willReturn(okJson(report("2026-11-20", "5000000"))));

        pipeline.clock.advance(Duration.ofHours(2));            // whatever token an earlier test left has expired
        java.time.LocalDate today = java.time.LocalDate.ofInstant(pipeline.clock.instant(), java.time.ZoneOffset.UTC);
        pipeline.run("it-ads");                                 // token t1
        pipeline.clock.advance(Duration.ofHours(2));            // t1 expires
        pipeline.run("it-ads");                                 // t2, refused with 401, then t3

        partner.verify(3, postRequestedFor(urlPathEqualTo("/token"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("grant_type=client_credentials")));
        assertThat(pipeline.counts(pipeline.lastBatch("it-ads"))).containsExactly("completed", 2L, 0L, 0L, 2L);
        partner.verify(postRequestedFor(urlPathEqualTo("/customers/42/googleAds:searchStream"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("BETWEEN '" + today.minusDays(3) + "' AND '" + today + "'")));
    }

    // ---- reports: restatements, re-runs, empty answers ------------------------------------------------

    @Test
    void aRestatedDayOverwritesItsRowAndARerunChangesNothing() {
        token();
        partner.stubFor(post(urlPathEqualTo("/customers/42/googleAds:searchStream")).inScenario("restate")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(okJson(report("2026-11-18", "12500000"))).willSetStateTo("restated"));
        partner.stubFor(post(urlPathEqualTo("/customers/42/googleAds:searchStream")).inScenario("restate")
                .whenScenarioStateIs("restated").willReturn(okJson(report("2026-11-18", "13750000"))));
        pipeline.jdbc.update("DELETE FROM caravan.campaign_performance WHERE connector_id = 'it-ads'");

        pipeline.run("it-ads");
        pipeline.run("it-ads");
        pipeline.run("it-ads");

        List<Map<String, Object>> batches = pipeline.jdbc.queryForList(
                "SELECT status, rows_in, rows_delivered, rows_duplicate FROM caravan.batch WHERE route_id = 'it-ads' ORDER BY started_at DESC, batch_id LIMIT 3");
        assertThat(batches).extracting(b -> b.get("rows_in") + "/" + b.get("rows_delivered") + "/" + b.get("rows_duplicate"))
                .contains("2/0/2", "2/1/1");
        assertThat(pipeline.jdbc.queryForList("SELECT campaign_id || ':' || spend_amount || ':' || taxonomy_valid || ':' || coalesce(brand, '-') "
                + "FROM caravan.campaign_performance WHERE connector_id = 'it-ads' ORDER BY campaign_id", String.class))
                .containsExactly("1:13.7500:true:VW", "2:1.0000:false:-");
    }

    @Test
    void anEmptyReportCompletesAnEmptyBatch() {
        token();
        partner.stubFor(post(urlPathEqualTo("/customers/42/googleAds:searchStream")).willReturn(okJson("[]")));

        pipeline.run("it-ads");

        assertThat(pipeline.counts(pipeline.lastBatch("it-ads"))).containsExactly("completed", 0L, 0L, 0L, 0L);
    }

    // ---- host rules -------------------------------------------------------------------------------------

    @Test
    void nextLinksAreFollowedOnTheAllowedHostAndANextLinkToAnotherHostIsRefused() {
        String base = partner.baseUrl();
        partner.stubFor(get(urlPathEqualTo("/insights")).withQueryParam("after", com.github.tomakehurst.wiremock.client.WireMock.absent())
                .willReturn(okJson(insights("1", base + "/insights?after=c1"))));
        partner.stubFor(get(urlPathEqualTo("/insights")).withQueryParam("after", equalTo("c1"))
                .willReturn(okJson(insights("2", "http://reports.partner-mirror.example/insights?after=c2"))));

        pipeline.run("it-meta");

        Map<String, Object> batch = pipeline.lastBatch("it-meta");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(failure(batch)).contains("it-meta: page 3: request refused: host is not in the connector's allowlist");
        partner.verify(2, getRequestedFor(urlPathEqualTo("/insights")));
        assertThat(pipeline.jdbc.queryForObject("SELECT count(*) FROM caravan.campaign_performance WHERE connector_id = 'it-meta'",
                Long.class)).as("a failed batch leaves nothing behind").isZero();
    }

    @Test
    void aRedirectToAMetadataAddressIsRefusedAtTheHop() {
        partner.stubFor(get(urlPathEqualTo("/leads")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://169.254.169.254/latest/meta-data/")));

        pipeline.run("it-leads");

        assertThat(failure(pipeline.lastBatch("it-leads"))).contains("it-leads: page 1: request refused: host is not in the connector's allowlist");
    }

    // ---- at most one run ---------------------------------------------------------------------------------

    @Test
    void aRunDoesNotStartWhileAnotherRunOfTheConnectorHoldsItsLock() {
        partner.stubFor(get(urlPathEqualTo("/leads")).willReturn(okJson("{\"leads\":[" + lead("L-5", "2026-11-05T00:00:00Z") + "]}")));
        long before = batches("it-leads");
        Optional<ConnectorLocks.Held> other = pipeline.spring.getBean(ConnectorLocks.class).tryAcquire("it-leads");
        assertThat(other).isPresent();
        try {
            pipeline.run("it-leads");
            assertThat(batches("it-leads")).isEqualTo(before);
            partner.verify(0, getRequestedFor(urlPathEqualTo("/leads")));
        } finally {
            other.get().close();
        }
        pipeline.run("it-leads");
        assertThat(batches("it-leads")).isEqualTo(before + 1);
    }

    @Test
    void theQuartzScheduleOfTheDescriptorFiresTheSync() throws Exception {
        partner.stubFor(get(urlPathEqualTo("/leads")).willReturn(okJson("{\"leads\":[]}")));
        pipeline.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("quartz:it/leads?cron={{connector.it-leads.schedule}}&stateful=true").routeId("it-leads-scheduled")
                        .to("fetch:it-leads").to("harmonise:it-leads").to("warehouse:lead");
            }
        });
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(batches("it-leads-scheduled")).isPositive());
        } finally {
            pipeline.camel.getRouteController().stopRoute("it-leads-scheduled");
            pipeline.camel.removeRoute("it-leads-scheduled");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private long batches(String route) {
        return pipeline.jdbc.queryForObject("SELECT count(*) FROM caravan.batch WHERE route_id = ?", Long.class, route);
    }

    private String failure(Map<String, Object> batch) {
        return pipeline.jdbc.queryForObject("SELECT error FROM caravan.batch WHERE batch_id = ?", String.class, batch.get("batch_id"));
    }

    private static void token() {
        partner.stubFor(post(urlPathEqualTo("/token"))
                .willReturn(okJson("{\"access_token\":\"tok\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
    }

    private static String lead(String id, String updatedAt) {
        return "{\"id\":\"" + id + "\",\"created_at\":\"" + updatedAt + "\",\"updated_at\":\"" + updatedAt
                + "\",\"vehicle\":{\"make\":\"Volkswagen\"}}";
    }

    private static String report(String day, String costMicros) {
        return "[{\"results\":[{\"customer\":{\"id\":\"42\"},\"campaign\":{\"id\":\"1\",\"name\":\"VW_DE_ID4_CONS_SEARCH\"},"
                + "\"metrics\":{\"clicks\":\"10\",\"costMicros\":\"" + costMicros + "\"},\"segments\":{\"date\":\"" + day + "\"}},"
                + "{\"customer\":{\"id\":\"42\"},\"campaign\":{\"id\":\"2\",\"name\":\"Winter sale\"},"
                + "\"metrics\":{\"clicks\":\"1\",\"costMicros\":\"1000000\"},\"segments\":{\"date\":\"" + day + "\"}}]},"
                + "{\"requestId\":\"r-2\"}]";
    }

    private static String insights(String campaign, String next) {
        return "{\"data\":[{\"account_id\":\"7\",\"campaign_id\":\"" + campaign + "\",\"campaign_name\":\"VW_DE_ID3_AWARE_SOCIAL\","
                + "\"date_start\":\"2026-11-20\",\"spend\":\"1.50\"}],\"paging\":{\"cursors\":{\"after\":\"x\"},\"next\":\"" + next + "\"}}";
    }
}
