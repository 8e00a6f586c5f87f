package io.caravan.fetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Meta connector against the answers Meta publishes (test resources
 * {@code fetch-conformance/meta}, each naming its source), replayed by WireMock, through the real
 * steps into PostgreSQL: the token only in the Authorization header (never in a URL, also not when
 * Meta's next links carry it), {@code appsecret_proof}, synchronous insights paged by
 * {@code paging.next}, the asynchronous report run (start, poll with back-off, result pages, a
 * failed run, a run that does not finish within its budget), numbers as strings, actions mapped to
 * leads and link clicks, throttling error codes and usage headers, an expired token.
 */
class MetaConformanceIT {
    private static final Path SHAPES = Path.of("src/test/resources/fetch-conformance/meta");
    private static final String INSIGHTS = "/v24.0/act_9988776655/insights";
    private static final String TOKEN = "EAAB-system-user-token";
    private static final String APP_SECRET = "meta-app-secret";

    static WireMockServer meta;
    static FetchPipeline pipeline;
    @TempDir
    static Path connectors;

    @BeforeAll
    static void start() throws Exception {
        meta = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        meta.start();
        connector("it-meta", 2, "PT5S");
        connector("it-meta-async", 10, "PT5S");
        connector("it-meta-slow", 10, "PT0.3S");
        pipeline = new FetchPipeline("meta_conformance_it", connectors, Map.of("it.base-url", meta.baseUrl(),
                "it.token", TOKEN, "it.app-secret", APP_SECRET), "it-meta", "it-meta-async", "it-meta-slow");
    }

    private static void connector(String id, int days, String pollBudget) throws IOException {
        FetchPipeline.write(connectors, id + ".yaml", "id: " + id + "\n" + """
                title: IT Meta insights
                partner: meta-ads
                dataClass: third_party
                record: campaign_performance
                format: { type: json, records: data }
                source:
                  baseUrl: "{{it.base-url}}"
                  path: /v24.0/act_9988776655/insights
                  query:
                    level: campaign
                    time_increment: 1
                    time_range: '{"since":"${window.from}","until":"${window.to}"}'
                    limit: 2
                  paging: { style: link-next, nextPath: paging.next }
                """ + "  window: { days: " + days + " }\n" + """
                  auth: { type: bearer, token: "{{it.token}}" }
                  retry: { maxAttempts: 3, initialBackoff: PT0.01S, maxBackoff: PT0.05S, budget: PT5S }
                """ + "  meta: { appSecret: \"{{it.app-secret}}\", asyncAfterDays: 3, pollInitial: PT0.1S, pollMax: PT0.2S, pollBudget: "
                + pollBudget + " }\n" + """
                naturalKey: [platform, account_id, campaign_id, perf_date]
                constants: { platform: meta }
                fields:
                  account_id: { column: account_id, type: text, required: true }
                  campaign_id: { column: campaign_id, type: text, required: true }
                  campaign_name: { column: campaign_name, type: text }
                  perf_date: { column: date_start, type: date, required: true }
                  impressions: { column: impressions, type: integer }
                  clicks: { column: clicks, type: integer }
                  spend_amount: { column: spend, type: decimal }
                  currency: { column: account_currency, type: text }
                  leads: { column: "actions[action_type=lead].value", type: integer }
                  link_clicks: { column: "actions[action_type=link_click].value", type: integer }
                  cost_per_lead: { column: "cost_per_action_type[action_type=lead].value", type: decimal }
                """);
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        meta.stop();
    }

    @BeforeEach
    void reset() {
        meta.resetAll();
        pipeline.waits.clear();
        pipeline.jdbc.update("DELETE FROM caravan.campaign_performance");
    }

    @Test
    void shortRangesAreReadSynchronouslyPagedByNextWithTheTokenOnlyInTheHeaderAndTheAppSecretProof() throws Exception {
        stubPages(INSIGHTS);

        pipeline.run("it-meta");

        assertThat(pipeline.counts(pipeline.lastBatch("it-meta"))).containsExactly("completed", 3L, 3L, 0L, 0L);
        assertThat(rows()).containsExactly("238500001:2026-11-19:5589:36.3300:6:86:6.0550",
                "238500002:2026-11-19:7289:47.3800:-:114:-", "238500003:2026-11-20:1021:9.1000:-:-:-");
        meta.verify(2, getRequestedFor(urlPathEqualTo(INSIGHTS)).withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withQueryParam("appsecret_proof", equalTo(hmac(APP_SECRET, TOKEN))).withQueryParam("access_token", absent()));
        meta.verify(getRequestedFor(urlPathEqualTo(INSIGHTS)).withQueryParam("after", equalTo("MQZDZD")));
        for (LoggedRequest request : meta.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.anyUrl()))) {
            assertThat(request.getUrl()).doesNotContain(TOKEN).doesNotContain("access_token");
        }
    }

    @Test
    void longRangesRunAnAsyncReportPolledWithBackOffAndReadItsResultPages() {
        meta.stubFor(post(urlPathEqualTo(INSIGHTS)).willReturn(okJson(shape("report-run-start.json"))));
        meta.stubFor(get(urlPathEqualTo("/v24.0/6123456789012")).inScenario("run").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(shape("report-run-running.json"))).willSetStateTo("still"));
        meta.stubFor(get(urlPathEqualTo("/v24.0/6123456789012")).inScenario("run").whenScenarioStateIs("still")
                .willReturn(okJson(shape("report-run-running.json"))).willSetStateTo("done"));
        meta.stubFor(get(urlPathEqualTo("/v24.0/6123456789012")).inScenario("run").whenScenarioStateIs("done")
                .willReturn(okJson(shape("report-run-completed.json"))));
        stubPages("/v24.0/6123456789012/insights");

        pipeline.run("it-meta-async");

        assertThat(pipeline.counts(pipeline.lastBatch("it-meta-async"))).containsExactly("completed", 3L, 3L, 0L, 0L);
        assertThat(pipeline.waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        meta.verify(postRequestedFor(urlPathEqualTo(INSIGHTS)).withQueryParam("level", equalTo("campaign"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN)).withQueryParam("access_token", absent()));
        meta.verify(0, getRequestedFor(urlPathEqualTo(INSIGHTS)));
    }

    @Test
    void aFailedReportRunFailsTheBatchWithItsStatus() {
        meta.stubFor(post(urlPathEqualTo(INSIGHTS)).willReturn(okJson(shape("report-run-start.json"))));
        meta.stubFor(get(urlPathEqualTo("/v24.0/6123456789012")).willReturn(okJson(shape("report-run-failed.json"))));

        pipeline.run("it-meta-async");

        Map<String, Object> batch = pipeline.lastBatch("it-meta-async");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(batch.get("error")).isEqualTo("it-meta-async: report run: Meta reports 'Job Failed' at 0% after 1 poll(s); "
                + "nothing of this run is kept, the next run starts a new report");
    }

    @Test
    void aReportRunThatDoesNotFinishWithinItsBudgetIsGivenUpCleanly() {
        meta.stubFor(post(urlPathEqualTo(INSIGHTS)).willReturn(okJson(shape("report-run-start.json"))));
        meta.stubFor(get(urlPathEqualTo("/v24.0/6123456789012")).willReturn(okJson(shape("report-run-running.json"))));

        pipeline.run("it-meta-slow");

        Map<String, Object> batch = pipeline.lastBatch("it-meta-slow");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(batch.get("error")).isEqualTo("it-meta-slow: report run: not completed within PT0.3S (source.meta.pollBudget; "
                + "last status 'Job Running' at 42%); given up, nothing of this run is kept");
        assertThat(pipeline.waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void aThrottledAccountWaitsAsLongAsTheUsageHeaderSaysOrStopsWhenThatDoesNotFitTheBudget() {
        meta.stubFor(get(urlPathEqualTo(INSIGHTS)).willReturn(error("error-throttled.json")
                .withHeader("x-business-use-case-usage", "{\"9988776655\":[{\"type\":\"ads_insights\",\"call_count\":100,"
                        + "\"total_cputime\":34,\"total_time\":41,\"estimated_time_to_regain_access\":5}]}")));

        pipeline.run("it-meta");

        Map<String, Object> batch = pipeline.lastBatch("it-meta");
        assertThat(batch.get("error")).isEqualTo("it-meta: page 1: Meta Graph API error 80000/2446079 (OAuthException) HTTP 400: "
                + "rate limited after 1 attempt(s); waiting 300s more does not fit the retry budget");
        meta.verify(1, getRequestedFor(urlPathEqualTo(INSIGHTS)));
    }

    @Test
    void aUserRequestLimitIsRetriedAfterTheBackOff() {
        meta.stubFor(get(urlPathEqualTo(INSIGHTS)).inScenario("limit").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(error("error-user-limit.json")).willSetStateTo("ok"));
        meta.stubFor(get(urlPathEqualTo(INSIGHTS)).inScenario("limit").whenScenarioStateIs("ok")
                .willReturn(okJson(shape("insights-page-2.json"))));

        pipeline.run("it-meta");

        assertThat(pipeline.counts(pipeline.lastBatch("it-meta"))).containsExactly("completed", 1L, 1L, 0L, 0L);
        assertThat(pipeline.waits).containsExactly(Duration.ofMillis(10));
    }

    @Test
    void usageNearTheLimitMakesTheNextRequestWaitForTheReset() {
        meta.stubFor(get(urlPathEqualTo(INSIGHTS)).withQueryParam("after", absent())
                .willReturn(okJson(shape("insights-page-1.json").replace("{{BASE}}", meta.baseUrl()))
                        .withHeader("x-ad-account-usage", "{\"acc_id_util_pct\":96.5,\"reset_time_duration\":1,\"ads_api_access_tier\":\"standard_access\"}")));
        meta.stubFor(get(urlPathEqualTo(INSIGHTS)).withQueryParam("after", equalTo("MQZDZD"))
                .willReturn(okJson(shape("insights-page-2.json").replace("{{BASE}}", meta.baseUrl()))));

        pipeline.run("it-meta");

        assertThat(pipeline.counts(pipeline.lastBatch("it-meta"))).containsExactly("completed", 3L, 3L, 0L, 0L);
        assertThat(pipeline.waits).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void anExpiredTokenFailsTheBatchWithItsCodeOnly() {
        meta.stubFor(get(urlPathEqualTo(INSIGHTS)).willReturn(error("error-token-expired.json")));

        pipeline.run("it-meta");

        Map<String, Object> batch = pipeline.lastBatch("it-meta");
        assertThat(batch.get("error")).isEqualTo("it-meta: page 1: Meta Graph API error 190/463 (OAuthException) HTTP 400: "
                + "the access token expired or was invalidated; issue a new system-user token");
        meta.verify(1, getRequestedFor(urlPathEqualTo(INSIGHTS)));
    }

    private static void stubPages(String path) {
        meta.stubFor(get(urlPathEqualTo(path)).withQueryParam("after", absent())
                .willReturn(okJson(shape("insights-page-1.json").replace("{{BASE}}", meta.baseUrl())
                        .replace("/v24.0/act_9988776655/insights", path))));
        meta.stubFor(get(urlPathEqualTo(path)).withQueryParam("after", equalTo("MQZDZD"))
                .willReturn(okJson(shape("insights-page-2.json").replace("{{BASE}}", meta.baseUrl()))));
    }

    private static java.util.List<String> rows() {
        return pipeline.jdbc.queryForList("SELECT campaign_id || ':' || perf_date || ':' || impressions || ':' || spend_amount || ':' "
                + "|| coalesce(leads::text, '-') || ':' || coalesce(link_clicks::text, '-') || ':' || coalesce(cost_per_lead::text, '-') "
                + "FROM caravan.campaign_performance ORDER BY campaign_id", String.class);
    }

    private static ResponseDefinitionBuilder error(String file) {
        return aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody(shape(file));
    }

    private static String hmac(String key, String message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    private static String shape(String file) {
        try {
            return Files.readString(SHAPES.resolve(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
