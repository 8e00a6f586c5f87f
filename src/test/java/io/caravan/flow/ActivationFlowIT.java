package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import io.caravan.testing.ApiClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The repository's activation agreement ({@code id4-prospects-google}) run through the application:
 * the consented subject's hashes reach the platform's outbox, a withdrawn one's do not, and erasing
 * the exported subject names the platform among the recipients to tell.
 */
class ActivationFlowIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OPERATOR = ApiClient.basic("otto", "otto-activation-pass");

    @TempDir
    Path data;

    @Test
    void anActivationReachesTheOutboxAndErasureNamesThePlatform() throws Exception {
        try (CaravanApp app = CaravanApp.start(data, "caravan.activation.minimum-audience.google_customer_match=1",
                "caravan.security.users[0].name=otto", "caravan.security.users[0].password={noop}otto-activation-pass",
                "caravan.security.users[0].roles[0]=operator")) {
            lead(app, "anna.prospect@example.com", "granted");
            lead(app, "ben.withdrawn@example.com", "withdrawn");
            ApiClient api = ApiClient.onLocalhost(app.port());

            HttpResponse<String> started = api.post("/api/agreements/id4-prospects-google/run", OPERATOR, null);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            String exportId = ApiClient.json(started).path("exportId").asString();
            Map<String, Object> export = await().atMost(WAIT).until(() -> app.jdbc().queryForMap(
                    "SELECT * FROM caravan.export WHERE export_id = ?", exportId), row -> !"running".equals(row.get("status")));
            assertThat(export).containsEntry("status", "completed").containsEntry("rows_exported", 1L)
                    .containsEntry("rows_consent_filtered", 1L);
            List<String> lines = Files.readAllLines(data.resolve("sftp/google-ads/outbox").resolve((String) export.get("file_name")));
            assertThat(lines).containsExactly("Email,Phone", sha256("anna.prospect@example.com") + ",");

            HttpResponse<String> erased = api.post("/api/erasures", OPERATOR, "{\"email\": \"anna.prospect@example.com\"}");
            assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);
            JsonNode partners = ApiClient.json(erased).path("partners");
            assertThat(partners).hasSize(1);
            assertThat(partners.get(0).path("partnerId").asString()).isEqualTo("google-ads");
            assertThat(partners.get(0).path("agreementId").asString()).isEqualTo("id4-prospects-google");
            assertThat(partners.get(0).path("exportId").asString()).isEqualTo(exportId);
        }
    }

    private static void lead(CaravanApp app, String email, String consent) {
        KeyRing keys = app.bean(KeyRing.class);
        Tokeniser tokens = keys.tokeniser(KeyRing.WAREHOUSE);
        String subject = tokens.token(email);
        app.jdbc().update("INSERT INTO caravan.lead (record_key, connector_id, partner_id, data_class, batch_id, ingested_at, "
                + "lead_id, lead_at, model, subject_token, email_token, key_id, sealed_identifiers) VALUES "
                + "(?, 'test', 'autoboerse', 'second_party', 'b-test', now(), ?, now() - interval '3 days', 'ID.4', ?, ?, ?, ?)",
                "rk-" + subject.substring(0, 12), "L-" + subject.substring(0, 8), subject, subject, tokens.keyId(),
                keys.identitySeal().seal(Map.of("email_token", email, "subject_token", email)));
        app.jdbc().update("INSERT INTO caravan.consent_event (event_id, subject_token, purpose, status, basis, captured_at, "
                + "source, key_id) VALUES (?, ?, 'marketing_activation', ?, 'consent', now() - interval '1 day', 'test', ?)",
                "e-" + subject.substring(0, 12), subject, consent, tokens.keyId());
    }

    private static String sha256(String value) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
