package io.caravan.fetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Google Ads connector against the answers Google publishes (test resources
 * {@code fetch-conformance/google-ads}, each naming its reference page), replayed by WireMock, through
 * the real steps into PostgreSQL: the request built from the descriptor (version, customer, GAQL,
 * restatement window in the account's time zone, developer-token and login-customer-id headers,
 * refresh-token grant), the streamed answer, an expired token, quota errors with their retry delay,
 * authorization errors, a revoked refresh token, a stream that breaks off with an error, and a
 * 10,000-row answer.
 */
class GoogleAdsConformanceIT {
    private static final Path SHAPES = Path.of("src/test/resources/fetch-conformance/google-ads");
    private static final String STREAM = "/v26/customers/1234567890/googleAds:searchStream";

    static WireMockServer google;
    static FetchPipeline pipeline;
    @TempDir
    static Path connectors;

    @BeforeAll
    static void start() throws Exception {
        google = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        google.start();
        FetchPipeline.write(connectors, "google.yaml", """
                id: it-ads
                title: IT Google Ads campaigns
                partner: google-ads
                dataClass: third_party
                record: campaign_performance
                format: { type: json, records: "[].results" }
                source:
                  baseUrl: "{{it.base-url}}"
                  googleAds:
                    version: v26
                    customerId: "123-456-7890"
                    resource: campaign
                    where: ["campaign.status != 'REMOVED'"]
                  window: { days: 3 }
                  auth:
                    type: oauth2-refresh-token
                    tokenUrl: "{{it.base-url}}/token"
                    clientId: caravan-it
                    clientSecret: "{{it.client-secret}}"
                    refreshToken: "{{it.refresh-token}}"
                  headers:
                    developer-token: { secret: "{{it.developer-token}}" }
                    login-customer-id: "{{it.login-customer-id:}}"
                  retry: { maxAttempts: 4, initialBackoff: PT0.01S, maxBackoff: PT0.05S, budget: PT5S }
                naturalKey: [platform, account_id, campaign_id, perf_date]
                constants: { platform: google_ads }
                fields:
                  account_id: { column: customer.id, type: text, required: true }
                  campaign_id: { column: campaign.id, type: text, required: true }
                  campaign_name: { column: campaign.name, type: text }
                  perf_date: { column: segments.date, type: date, required: true }
                  impressions: { column: metrics.impressions, type: integer }
                  clicks: { column: metrics.clicks, type: integer }
                  spend_amount: { column: metrics.costMicros, type: decimal, scale: 6 }
                  currency: { column: customer.currencyCode, type: text, pattern: "[A-Z]{3}" }
                  conversions: { column: metrics.conversions, type: decimal }
                """);
        pipeline = new FetchPipeline("google_ads_conformance_it", connectors, Map.of("it.base-url", google.baseUrl(),
                "it.client-secret", "gcp-client-secret", "it.refresh-token", "1//google-refresh-token",
                "it.developer-token", "google-developer-token", "it.login-customer-id", "9876543210"), "it-ads");
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        google.stop();
    }

    @BeforeEach
    void reset() {
        google.resetAll();
        pipeline.waits.clear();
        pipeline.clock.advance(Duration.ofHours(2)); // the token of an earlier test has expired
        pipeline.jdbc.update("DELETE FROM caravan.campaign_performance");
        google.stubFor(post(urlPathEqualTo("/token")).withRequestBody(containing("grant_type=refresh_token"))
                .willReturn(okJson("{\"access_token\":\"ya29.a0-it\",\"expires_in\":3599,\"scope\":\"https://www.googleapis.com/auth/adwords\",\"token_type\":\"Bearer\"}")));
        google.stubFor(stream().withRequestBody(containing("FROM customer")).atPriority(1).willReturn(okJson(shape("account.json"))));
    }

    @Test
    void theReportIsTheDescriptorsGaqlOverTheWindowInTheAccountsTimeZoneAndLandsAsPublished() {
        google.stubFor(stream().withRequestBody(containing("FROM campaign")).willReturn(okJson(shape("report.json"))));

        pipeline.run("it-ads");

        assertThat(pipeline.counts(pipeline.lastBatch("it-ads"))).containsExactly("completed", 2L, 2L, 0L, 0L);
        LocalDate today = LocalDate.ofInstant(pipeline.clock.instant(), ZoneId.of("America/Los_Angeles"));
        google.verify(postRequestedFor(urlPathEqualTo(STREAM)).withRequestBody(equalTo("{\"query\": \"SELECT campaign.id, "
                + "campaign.name, customer.currency_code, customer.id, metrics.clicks, metrics.conversions, metrics.cost_micros, "
                + "metrics.impressions, segments.date FROM campaign WHERE segments.date BETWEEN '" + today.minusDays(3)
                + "' AND '" + today + "' AND campaign.status != 'REMOVED'\"}"))
                .withHeader("Authorization", equalTo("Bearer ya29.a0-it"))
                .withHeader("developer-token", equalTo("google-developer-token"))
                .withHeader("login-customer-id", equalTo("9876543210")));
        assertThat(pipeline.jdbc.queryForList("SELECT campaign_id || ':' || perf_date || ':' || impressions || ':' || spend_amount "
                + "|| ':' || currency || ':' || coalesce(conversions::text, '-') FROM caravan.campaign_performance "
                + "WHERE connector_id = 'it-ads' ORDER BY campaign_id", String.class))
                .containsExactly("111001:2026-11-20:1234:50.8778:USD:2.4700", "111002:2026-11-21:9007199254740993:0.0000:USD:-");
    }

    @Test
    void anExpiredAccessTokenIsReplacedOnceAndTheReportIsRead() {
        google.stubFor(stream().withRequestBody(containing("FROM campaign")).inScenario("expiry").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(error(401, "error-token-expired.json")).willSetStateTo("fresh"));
        google.stubFor(stream().withRequestBody(containing("FROM campaign")).inScenario("expiry").whenScenarioStateIs("fresh")
                .willReturn(okJson(shape("report.json"))));

        pipeline.run("it-ads");

        assertThat(pipeline.counts(pipeline.lastBatch("it-ads"))).containsExactly("completed", 2L, 2L, 0L, 0L);
        google.verify(2, postRequestedFor(urlPathEqualTo("/token")));
    }

    @Test
    void aQuotaErrorWaitsTheRetryDelayItGivesThenReads() {
        google.stubFor(stream().withRequestBody(containing("FROM campaign")).inScenario("quota").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(error(429, "error-quota.json")).willSetStateTo("ok"));
        google.stubFor(stream().withRequestBody(containing("FROM campaign")).inScenario("quota").whenScenarioStateIs("ok")
                .willReturn(okJson(shape("report.json"))));

        pipeline.run("it-ads");

        assertThat(pipeline.counts(pipeline.lastBatch("it-ads"))).containsExactly("completed", 2L, 2L, 0L, 0L);
        assertThat(pipeline.waits).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void aQuotaErrorWhoseDelayDoesNotFitTheBudgetFailsWithoutHammering() {
        google.stubFor(stream().withRequestBody(containing("FROM campaign"))
                .willReturn(error(429, "error-quota.json", "\"retryDelay\": \"1s\"", "\"retryDelay\": \"3600s\"")));

        pipeline.run("it-ads");

        Map<String, Object> batch = pipeline.lastBatch("it-ads");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(batch.get("error")).isEqualTo("it-ads: page 1: Google Ads API error quotaError RESOURCE_TEMPORARILY_EXHAUSTED "
                + "(HTTP 429, RESOURCE_EXHAUSTED), request id Yp3cTq8mWc0sKf2nA7bR5g after 1 attempt(s); waiting 3600s more "
                + "does not fit the retry budget");
        google.verify(1, postRequestedFor(urlPathEqualTo(STREAM)).withRequestBody(containing("FROM campaign")));
        assertThat(pipeline.waits).isEmpty();
    }

    @Test
    void anAuthorizationErrorFailsTheBatchWithTheErrorCodeOnly() {
        google.stubFor(stream().withRequestBody(containing("FROM campaign")).willReturn(error(403, "error-permission-denied.json")));

        pipeline.run("it-ads");

        Map<String, Object> batch = pipeline.lastBatch("it-ads");
        assertThat(batch.get("error")).isEqualTo("it-ads: page 1: Google Ads API error authorizationError USER_PERMISSION_DENIED "
                + "(HTTP 403, PERMISSION_DENIED), request id k2Lr0vXb9qP1cN8d4mTz1A");
        google.verify(1, postRequestedFor(urlPathEqualTo(STREAM)).withRequestBody(containing("FROM campaign")));
    }

    @Test
    void aRevokedRefreshTokenFailsTheBatchWithAClearReason() {
        google.stubFor(post(urlPathEqualTo("/token")).atPriority(1).willReturn(error(400, "token-invalid-grant.json")));

        pipeline.run("it-ads");

        Map<String, Object> batch = pipeline.lastBatch("it-ads");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(batch.get("error")).isEqualTo("it-ads: token request: refused by the token endpoint (HTTP 400, invalid_grant): "
                + "the refresh token, service-account key or authorisation grant was revoked or has expired; issue a new one");
        google.verify(0, postRequestedFor(urlPathEqualTo(STREAM)));
    }

    @Test
    void aStreamThatBreaksOffWithAnErrorFailsTheRunAndKeepsNothing() {
        google.stubFor(stream().withRequestBody(containing("FROM campaign")).willReturn(okJson(shape("stream-broken.json"))));

        pipeline.run("it-ads");

        Map<String, Object> batch = pipeline.lastBatch("it-ads");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(batch.get("error")).isEqualTo("it-ads: page 1: the Google Ads stream ended with an error (500, INTERNAL) "
                + "after 1 row(s); the run is not kept");
        assertThat(pipeline.jdbc.queryForObject("SELECT count(*) FROM caravan.campaign_performance", Long.class)).isZero();
    }

    @Test
    void aTenThousandRowAnswerIsStreamedIntoTheWarehouse() {
        StringBuilder report = new StringBuilder("[{\"results\":[");
        for (int i = 0; i < 10_000; i++) {
            report.append(i == 0 ? "" : ",").append("{\"customer\":{\"id\":\"1234567890\",\"currencyCode\":\"USD\"},")
                    .append("\"campaign\":{\"id\":\"").append(200000 + i).append("\",\"name\":\"VW_US_ID4_CONS_SEARCH\"},")
                    .append("\"metrics\":{\"impressions\":\"").append(i).append("\",\"clicks\":\"1\",\"costMicros\":\"1500000\"},")
                    .append("\"segments\":{\"date\":\"2026-11-20\"}}");
        }
        report.append("],\"fieldMask\":\"customer.id\",\"requestId\":\"big\"}]");
        google.stubFor(stream().withRequestBody(containing("FROM campaign")).willReturn(okJson(report.toString())));

        pipeline.run("it-ads");

        assertThat(pipeline.counts(pipeline.lastBatch("it-ads"))).containsExactly("completed", 10_000L, 10_000L, 0L, 0L);
        assertThat(pipeline.jdbc.queryForObject("SELECT sum(spend_amount) FROM caravan.campaign_performance", java.math.BigDecimal.class))
                .isEqualByComparingTo("15000");
    }

    private static MappingBuilder stream() {
        return post(urlPathEqualTo(STREAM));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(int status, String file, String... replace) {
        String body = shape(file);
        for (int i = 0; i + 1 < replace.length; i += 2) {
            body = body.replace(replace[i], replace[i + 1]);
        }
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=UTF-8").withBody(body);
    }

    private static String shape(String file) {
        try {
            return Files.readString(SHAPES.resolve(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
