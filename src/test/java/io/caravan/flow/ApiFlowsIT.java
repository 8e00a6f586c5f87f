package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * README command 1 for the partner APIs: the embedded default starts the partner-API sandbox, and
 * the four API routes (descriptors and routes of the repository, unchanged) run once on start
 * against it — OAuth2 tokens, cursor, page and next-link paging, a searchStream answer, the
 * sandbox's deterministic 429s — through harmonise, taxonomy, consent, pseudonymise and warehouse
 * into PostgreSQL. Then "run now" through the ops API, the state API and a watermark reset.
 */
@ExtendWith(OutputCaptureExtension.class)
class ApiFlowsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void apiSamplesLandInTheWarehouseWithExactRowsLedgerAndState(CapturedOutput output) throws Exception {
        try (CaravanApp app = CaravanApp.start(data, "caravan.samples.seed=true")) {
            Map<String, Object> leads = app.awaitBatches("autoboerse-leads-api", 1, WAIT).get(0);
            Map<String, Object> insurance = app.awaitBatches("versicherung-direkt-events-api", 1, WAIT).get(0);
            Map<String, Object> google = app.awaitBatches("google-ads-campaigns", 1, WAIT).get(0);
            Map<String, Object> meta = app.awaitBatches("meta-ads-insights", 1, WAIT).get(0);

            // leads: 12 in the sample, 2 rejected (unknown fuel, short VIN), 1 warning (invalid e-mail)
            assertThat(counts(leads)).containsExactly("completed", 12L, 10L, 2L, 0L, 0L, 0L, 1L);
            assertThat(leads.get("source")).asString().endsWith("/autoboerse/v1/leads").doesNotContain("?");
            assertThat(rejections(app, leads)).containsExactly(
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
            assertThat(app.jdbc().queryForList("SELECT lead_id FROM caravan.lead ORDER BY lead_id", String.class))
                    .containsExactly("AB-L-500101", "AB-L-500102", "AB-L-500103", "AB-L-500104", "AB-L-500106",
                            "AB-L-500107", "AB-L-500108", "AB-L-500110", "AB-L-500111", "AB-L-500112");
            // the greatest updated_at of the sample, stored after the commit
            assertThat(app.jdbc().queryForObject("SELECT watermark FROM caravan.connector_state WHERE connector_id = 'autoboerse-leads-api'",
                    String.class)).isEqualTo("2026-11-21T11:01:00Z");

            // insurance: 10 events, one with a broken date
            assertThat(counts(insurance)).containsExactly("completed", 10L, 9L, 1L, 0L, 0L, 0L, 0L);
            assertThat(rejections(app, insurance)).containsExactly("7:event_date:not a date in the descriptor's date pattern");
            assertThat(app.jdbc().queryForMap("SELECT event, event_date::text AS d, renewal_date::text AS r, premium_band, make, model, postcode_area "
                    + "FROM caravan.insurance WHERE insurance_id = 'VD-70002'"))
                    .containsEntry("event", "policy").containsEntry("d", "2026-11-04").containsEntry("r", "2027-11-04")
                    .containsEntry("premium_band", "B").containsEntry("make", "Volkswagen").containsEntry("model", "Golf")
                    .containsEntry("postcode_area", "81");

            // Google: 3 days x 4 campaigns, one batch without results; one name breaks the taxonomy
            assertThat(counts(google)).containsExactly("completed", 12L, 12L, 0L, 0L, 0L, 0L, 0L);
            assertThat(app.jdbc().queryForObject("SELECT counters ->> 'taxonomy_violations' FROM caravan.batch WHERE batch_id = ?",
                    String.class, google.get("batch_id"))).isEqualTo("3");
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

            // Meta: 6 rows over 2 pages (paging.next), one name with an unknown funnel code
            assertThat(counts(meta)).containsExactly("completed", 6L, 6L, 0L, 0L, 0L, 0L, 0L);
            assertThat(app.jdbc().queryForObject("SELECT counters ->> 'taxonomy_violations' FROM caravan.batch WHERE batch_id = ?",
                    String.class, meta.get("batch_id"))).isEqualTo("2");
            assertThat(app.jdbc().queryForMap("SELECT spend_amount::text AS spend, impressions, conversions::text AS conv, brand, market, model "
                    + "FROM caravan.campaign_performance WHERE platform = 'meta' AND campaign_id = '238500002' AND perf_date = '2026-11-19'"))
                    .containsEntry("spend", "47.3800").containsEntry("impressions", 7289L).containsEntry("conv", "8.0000")
                    .containsEntry("brand", "CUPRA").containsEntry("market", "ES").containsEntry("model", "Born");
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.campaign_performance", Long.class)).isEqualTo(18L);

            // run now through the ops API: nothing newer than the watermark, so an empty batch
            Map<String, String> env = localEnv();
            HttpResponse<String> run = send(env, "POST", "/api/routes/autoboerse-leads-api/run", null, true);
            assertThat(run.statusCode()).isEqualTo(202);
            Map<String, Object> second = app.awaitBatches("autoboerse-leads-api", 2, WAIT).get(1);
            assertThat(counts(second)).containsExactly("completed", 0L, 0L, 0L, 0L, 0L, 0L, 0L);

            // state API: viewer reads, viewer cannot reset, bad watermark is a 400 naming the field
            HttpResponse<String> state = send(env, "GET", "/api/connectors/autoboerse-leads-api/state", null, false);
            assertThat(state.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(state.body()).path("watermark").asString()).isEqualTo("2026-11-21T11:01:00Z");
            assertThat(send(env, "PUT", "/api/connectors/autoboerse-leads-api/state", "{\"watermark\":null}", false).statusCode())
                    .isEqualTo(403);
            HttpResponse<String> bad = send(env, "PUT", "/api/connectors/autoboerse-leads-api/state", "{\"watermark\":\"last week\"}", true);
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).path("field").asString()).isEqualTo("watermark");
            assertThat(send(env, "PUT", "/api/connectors/nope/state", "{\"watermark\":null}", true).statusCode()).isEqualTo(404);
            JsonNode list = JSON.readTree(send(env, "GET", "/api/connectors", null, false).body());
            assertThat(list.findValuesAsString("id")).contains("autoboerse-leads-api", "google-ads-campaigns", "dealer-nord-sales");

            // reset to re-sync from 2026-11-19: the leads updated since come again, unchanged, as duplicates
            HttpResponse<String> reset = send(env, "PUT", "/api/connectors/autoboerse-leads-api/state",
                    "{\"watermark\":\"2026-11-19T00:00:00Z\",\"cursor\":null}", true);
            assertThat(reset.statusCode()).isEqualTo(200);
            assertThat(app.jdbc().queryForMap("SELECT actor, action, subject FROM caravan.audit_event WHERE action = 'connector_state.reset'"))
                    .containsEntry("actor", env.get("CARAVAN_OPERATOR_USER")).containsEntry("subject", "autoboerse-leads-api");
            assertThat(send(env, "POST", "/api/routes/autoboerse-leads-api/run", null, true).statusCode()).isEqualTo(202);
            Map<String, Object> third = app.awaitBatches("autoboerse-leads-api", 3, WAIT).get(2);
            assertThat(counts(third)).containsExactly("completed", 3L, 0L, 0L, 0L, 0L, 3L, 1L);
            assertThat(app.jdbc().queryForObject("SELECT watermark FROM caravan.connector_state WHERE connector_id = 'autoboerse-leads-api'",
                    String.class)).isEqualTo("2026-11-21T11:01:00Z");
        }
        assertThat(output.getAll()).doesNotContain("@example.com", "@example.org", "client_secret", "access_token", "sbx-");
    }

    private static List<Object> counts(Map<String, Object> batch) {
        return List.of(batch.get("status"), batch.get("rows_in"), batch.get("rows_delivered"), batch.get("rows_rejected"),
                batch.get("rows_consent_filtered"), batch.get("rows_suppressed"), batch.get("rows_duplicate"), batch.get("warnings"));
    }

    private static List<String> rejections(CaravanApp app, Map<String, Object> batch) {
        return app.jdbc().queryForList("SELECT row_number || ':' || field || ':' || reason FROM caravan.rejection "
                + "WHERE batch_id = ? ORDER BY row_number", String.class, batch.get("batch_id"));
    }

    private Map<String, String> localEnv() throws Exception {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(data.resolve("local.env"), StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                String value = line.substring(eq + 1);
                if (value.startsWith("'") && value.endsWith("'")) {
                    value = value.substring(1, value.length() - 1).replace("'\\''", "'");
                }
                env.put(line.substring(0, eq), value);
            }
        }
        return env;
    }

    private HttpResponse<String> send(Map<String, String> env, String method, String path, String body, boolean operator) throws Exception {
        String user = env.get(operator ? "CARAVAN_OPERATOR_USER" : "CARAVAN_VIEWER_USER");
        String password = env.get(operator ? "CARAVAN_OPERATOR_PASSWORD" : "CARAVAN_VIEWER_PASSWORD");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(env.get("CARAVAN_API_URL") + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
