package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.testing.ApiClient;
import io.caravan.testing.LocalEnvFile;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * README command 1 for the partner APIs: the embedded default starts the partner-API sandbox, and
 * the four API routes (descriptors and routes of the repository, unchanged) run once on start
 * against it — OAuth2 tokens, cursor, page and next-link paging, a searchStream answer, the
 * sandbox's deterministic 429s — through harmonise, taxonomy, consent, pseudonymise and warehouse
 * into PostgreSQL. Then "run now" through the ops API, the state API and a watermark reset.
 *
 * <p>One application (samples seeded) serves every test; each test is one partner API, so a
 * failure names the partner. Only the run-now test runs a route again; it leaves the leads
 * watermark where the first run put it, so the tests pass in any order.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiFlowsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data; // static: there before @BeforeAll, which an instance field is not
    private CaravanApp app;

    @BeforeAll
    void startWithSamples() {
        app = CaravanApp.start(data, "caravan.samples.seed=true");
    }

    @AfterAll
    void stopAndCheckTheLog(CapturedOutput output) {
        if (app != null) {
            app.close();
        }
        assertThat(output.getAll()).doesNotContain("@example.com", "@example.org", "client_secret", "access_token", "sbx-");
    }

    @Test
    void autoboerseLeadsApiLandsItsLeadsWithRejectionsAWarningAndTheWatermark() {
        Map<String, Object> leads = app.awaitBatches("autoboerse-leads-api", 1, WAIT).get(0);

        // leads: 12 in the sample, 2 rejected (unknown fuel, short VIN), 1 warning (invalid e-mail)
        assertThat(counts(leads)).containsExactly("completed", 12L, 10L, 2L, 0L, 0L, 0L, 1L);
        assertThat(leads.get("source")).asString().endsWith("/autoboerse/v1/leads").doesNotContain("?");
        assertThat(rejections(leads)).containsExactly(
                "5:fuel_type:unknown fuel_type spelling", "9:vin:VIN must have 17 characters");
        Map<String, Object> lead = app.jdbc().queryForMap("SELECT * FROM caravan.lead WHERE lead_id = 'AB-L-500101'");
        assertThat(lead).containsEntry("connector_id", "autoboerse-leads-api").containsEntry("partner_id", "autoboerse")
                .containsEntry("data_class", "second_party").containsEntry("request_type", "test_drive")
                .containsEntry("funnel_stage", "intent").containsEntry("channel", "marketplace")
                .containsEntry("dealer_id", "dealer-nord").containsEntry("make", "Volkswagen").containsEntry("model", "ID.4")
                .containsEntry("model_year", 2024).containsEntry("fuel_type", "bev").containsEntry("postcode_area", "20");
        assertThat((String) lead.get("email_token")).matches("[0-9a-f]{64}");
        assertThat(lead.get("subject_token")).isEqualTo(lead.get("email_token"));
        assertThat(app.jdbc().queryForObject("SELECT lead_at FROM caravan.lead WHERE lead_id = 'AB-L-500101'", java.time.OffsetDateTime.class).toInstant())
                .hasToString("2026-11-10T08:00:00Z");
        // this route's leads only: the seeded ADF files of autoboerse-leads-adf land in caravan.lead too, at their own pace
        assertThat(app.jdbc().queryForList("SELECT lead_id FROM caravan.lead WHERE connector_id = 'autoboerse-leads-api' ORDER BY lead_id",
                String.class))
                .containsExactly("AB-L-500101", "AB-L-500102", "AB-L-500103", "AB-L-500104", "AB-L-500106",
                        "AB-L-500107", "AB-L-500108", "AB-L-500110", "AB-L-500111", "AB-L-500112");
        // the greatest updated_at of the sample, stored after the commit (when the exchange completes)
        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT watermark FROM caravan.connector_state WHERE connector_id = 'autoboerse-leads-api'", String.class))
                .isEqualTo("2026-11-21T11:01:00Z"));
    }

    @Test
    void autoboerseLeadsApiRunsNowThroughTheOpsApiAndResyncsAfterAWatermarkReset() throws Exception {
        app.awaitBatches("autoboerse-leads-api", 1, WAIT);
        LocalEnvFile env = LocalEnvFile.in(data);
        ApiClient api = env.api();

        // run now through the ops API: nothing newer than the watermark, so an empty batch
        assertThat(api.post("/api/routes/autoboerse-leads-api/run", env.operator(), null).statusCode()).isEqualTo(202);
        Map<String, Object> second = app.awaitBatches("autoboerse-leads-api", 2, WAIT).get(1);
        assertThat(counts(second)).containsExactly("completed", 0L, 0L, 0L, 0L, 0L, 0L, 0L);

        // state API: viewer reads, viewer cannot reset, bad watermark is a 400 naming the field
        HttpResponse<String> state = api.get("/api/connectors/autoboerse-leads-api/state", env.viewer());
        assertThat(state.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(state.body()).path("watermark").asString()).isEqualTo("2026-11-21T11:01:00Z");
        assertThat(api.send("PUT", "/api/connectors/autoboerse-leads-api/state", env.viewer(), "{\"watermark\":null}").statusCode())
                .isEqualTo(403);
        HttpResponse<String> bad = api.send("PUT", "/api/connectors/autoboerse-leads-api/state", env.operator(), "{\"watermark\":\"last week\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("field").asString()).isEqualTo("watermark");
        assertThat(api.send("PUT", "/api/connectors/nope/state", env.operator(), "{\"watermark\":null}").statusCode()).isEqualTo(404);
        JsonNode list = JSON.readTree(api.get("/api/connectors", env.viewer()).body());
        assertThat(list.findValuesAsString("id")).contains("autoboerse-leads-api", "google-ads-campaigns", "dealer-nord-sales");

        // reset to re-sync from 2026-11-19: the leads updated since come again, unchanged, as duplicates
        HttpResponse<String> reset = api.send("PUT", "/api/connectors/autoboerse-leads-api/state", env.operator(),
                "{\"watermark\":\"2026-11-19T00:00:00Z\",\"cursor\":null}");
        assertThat(reset.statusCode()).isEqualTo(200);
        assertThat(app.jdbc().queryForMap("SELECT actor, action, subject FROM caravan.audit_event WHERE action = 'connector_state.reset'"))
                .containsEntry("actor", env.get("CARAVAN_OPERATOR_USER")).containsEntry("subject", "autoboerse-leads-api");
        assertThat(api.post("/api/routes/autoboerse-leads-api/run", env.operator(), null).statusCode()).isEqualTo(202);
        Map<String, Object> third = app.awaitBatches("autoboerse-leads-api", 3, WAIT).get(2);
        assertThat(counts(third)).containsExactly("completed", 3L, 0L, 0L, 0L, 0L, 3L, 1L);
        // the state advances when the exchange completes, just after the ledger shows the batch completed
        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT watermark FROM caravan.connector_state WHERE connector_id = 'autoboerse-leads-api'", String.class))
                .isEqualTo("2026-11-21T11:01:00Z"));
    }

    @Test
    void theSourceViewShowsHowTheAdConnectorsAuthenticateWithEverySecretMasked() throws Exception {
        LocalEnvFile env = LocalEnvFile.in(data);
        ApiClient api = env.api();
        HttpResponse<String> google = api.get("/api/connectors/google-ads-campaigns/source", env.viewer());
        HttpResponse<String> meta = api.get("/api/connectors/meta-ads-insights/source", env.viewer());

        assertThat(google.statusCode()).isEqualTo(200);
        JsonNode view = JSON.readTree(google.body());
        assertThat(view.path("auth").path("type").asString()).isEqualTo("oauth2-refresh-token");
        assertThat(view.path("auth").path("refreshToken").asString()).isEqualTo("[secret: set]");
        assertThat(view.path("headers").path("developer-token").asString()).isEqualTo("[secret: set]");
        assertThat(view.path("url").asString()).endsWith("/google-ads/v26/customers/1234567890/googleAds:searchStream");
        assertThat(JSON.readTree(meta.body()).path("auth").path("token").asString()).isEqualTo("[secret: set]");
        for (String secret : new String[] {"caravan.sandbox.client-secret", "caravan.sandbox.refresh-token",
                "caravan.sandbox.developer-token", "caravan.sandbox.meta-token", "caravan.sandbox.meta-app-secret"}) {
            String value = app.property(secret);
            assertThat(value).isNotBlank();
            assertThat(google.body() + meta.body()).doesNotContain(value);
        }
        assertThat(api.get("/api/connectors/dealer-nord-sales/source", env.viewer()).statusCode()).isEqualTo(409);

        // a connection check: the requests of a whole sync, counts and column names back, nothing written, no batch
        app.awaitBatches("google-ads-campaigns", 1, WAIT);
        long batches = app.jdbc().queryForObject("SELECT count(*) FROM caravan.batch WHERE route_id = 'google-ads-campaigns'", Long.class);
        assertThat(api.post("/api/connectors/google-ads-campaigns/check", env.viewer(), null).statusCode()).isEqualTo(403);
        HttpResponse<String> preview = api.post("/api/connectors/google-ads-campaigns/check", env.operator(), null);
        assertThat(preview.statusCode()).isEqualTo(200);
        JsonNode result = JSON.readTree(preview.body());
        assertThat(result.path("ok").asBoolean()).as(preview.body()).isTrue();
        assertThat(result.path("rows").asLong()).isEqualTo(12);
        assertThat(result.path("columns").toString()).contains("metrics.costMicros", "customer.currencyCode");
        assertThat(result.path("unmapped").toString()).contains("campaign.resourceName").doesNotContain("metrics.costMicros");
        assertThat(preview.body()).doesNotContain("VW_DE_ID4_CONS_SEARCH").doesNotContain("50877820");
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.batch WHERE route_id = 'google-ads-campaigns'", Long.class))
                .isEqualTo(batches);
    }

    @Test
    void versicherungDirektEventsApiLandsItsEventsAndRejectsTheBrokenDate() {
        Map<String, Object> insurance = app.awaitBatches("versicherung-direkt-events-api", 1, WAIT).get(0);

        // insurance: 10 events, one with a broken date
        assertThat(counts(insurance)).containsExactly("completed", 10L, 9L, 1L, 0L, 0L, 0L, 0L);
        assertThat(rejections(insurance)).containsExactly("7:event_date:not a date in the descriptor's date pattern");
        assertThat(app.jdbc().queryForMap("SELECT event, event_date::text AS d, renewal_date::text AS r, premium_band, make, model, postcode_area "
                + "FROM caravan.insurance WHERE insurance_id = 'VD-70002'"))
                .containsEntry("event", "policy").containsEntry("d", "2026-11-04").containsEntry("r", "2027-11-04")
                .containsEntry("premium_band", "B").containsEntry("make", "Volkswagen").containsEntry("model", "Golf")
                .containsEntry("postcode_area", "81");
    }

    @Test
    void googleAdsCampaignsLandWithTaxonomyColumnsAndCountTheNamesThatBreakIt() {
        Map<String, Object> google = app.awaitBatches("google-ads-campaigns", 1, WAIT).get(0);

        // Google: 3 days x 4 campaigns, one batch without results; one name breaks the taxonomy
        assertThat(counts(google)).containsExactly("completed", 12L, 12L, 0L, 0L, 0L, 0L, 0L);
        assertThat(taxonomyViolations(google)).isEqualTo("3");
        Map<String, Object> row = app.jdbc().queryForMap("SELECT * FROM caravan.campaign_performance "
                + "WHERE platform = 'google_ads' AND campaign_id = '111001' AND perf_date = '2026-11-18'");
        assertThat(row).containsEntry("account_id", "1234567890").containsEntry("campaign_name", "VW_DE_ID4_CONS_SEARCH")
                .containsEntry("impressions", 1234L).containsEntry("clicks", 49L).containsEntry("currency", "EUR")
                .containsEntry("taxonomy_valid", true).containsEntry("brand", "VW").containsEntry("market", "DE")
                .containsEntry("model", "ID.4").containsEntry("funnel_stage", "consideration").containsEntry("channel", "search");
        assertThat(row.get("spend_amount")).asString().isEqualTo("50.8778");
        assertThat(row.get("conversions")).asString().isEqualTo("2.4700");
        assertThat(app.jdbc().queryForMap("SELECT taxonomy_valid, brand, channel FROM caravan.campaign_performance "
                + "WHERE campaign_id = '111004' AND perf_date = '2026-11-20'"))
                .containsEntry("taxonomy_valid", false).containsEntry("brand", null).containsEntry("channel", null);
    }

    @Test
    void metaAdsInsightsLandOverTwoPagesAndCountTheNameWithAnUnknownFunnelCode() {
        Map<String, Object> meta = app.awaitBatches("meta-ads-insights", 1, WAIT).get(0);

        // Meta: 6 rows over 2 pages (paging.next), one name with an unknown funnel code
        assertThat(counts(meta)).containsExactly("completed", 6L, 6L, 0L, 0L, 0L, 0L, 0L);
        assertThat(taxonomyViolations(meta)).isEqualTo("2");
        assertThat(app.jdbc().queryForMap("SELECT leads, link_clicks FROM caravan.campaign_performance "
                + "WHERE platform = 'meta' AND campaign_id = '238500002' AND perf_date = '2026-11-19'"))
                .as("actions[] mapped by action type").containsEntry("leads", 8L).containsEntry("link_clicks", 114L);
        assertThat(app.jdbc().queryForMap("SELECT spend_amount::text AS spend, impressions, conversions::text AS conv, brand, market, model "
                + "FROM caravan.campaign_performance WHERE platform = 'meta' AND campaign_id = '238500002' AND perf_date = '2026-11-19'"))
                .containsEntry("spend", "47.3800").containsEntry("impressions", 7289L).containsEntry("conv", "8.0000")
                .containsEntry("brand", "CUPRA").containsEntry("market", "ES").containsEntry("model", "Born");
        // with Google's 12 rows: campaign_performance holds both platforms' rows and nothing else
        app.awaitBatches("google-ads-campaigns", 1, WAIT);
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.campaign_performance", Long.class)).isEqualTo(18L);
    }

    private static List<Object> counts(Map<String, Object> batch) {
        return List.of(batch.get("status"), batch.get("rows_in"), batch.get("rows_delivered"), batch.get("rows_rejected"),
                batch.get("rows_consent_filtered"), batch.get("rows_suppressed"), batch.get("rows_duplicate"), batch.get("warnings"));
    }

    private List<String> rejections(Map<String, Object> batch) {
        return app.jdbc().queryForList("SELECT row_number || ':' || field || ':' || reason FROM caravan.rejection "
                + "WHERE batch_id = ? ORDER BY row_number", String.class, batch.get("batch_id"));
    }

    private String taxonomyViolations(Map<String, Object> batch) {
        return app.jdbc().queryForObject("SELECT counters ->> 'taxonomy_violations' FROM caravan.batch WHERE batch_id = ?",
                String.class, batch.get("batch_id"));
    }
}
