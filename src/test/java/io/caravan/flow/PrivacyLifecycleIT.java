package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.platform.GeneratedUsers;
import io.caravan.pseudonymise.KeyRing;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.Environment;

/**
 * A subject's life through the real application, counting at every step: consent → ingest →
 * withdraw → export → erase → re-ingest (and export again). The sample export of the northern
 * dealer group (40 rows: 34 distinct valid sales, 5 rejected, 1 repeated) and the sharing
 * agreement {@code fahrbank-financed-sales} (purpose {@code partner_sharing}, opt-in) of
 * {@code config/agreements.yaml} (exports branch, merged).
 *
 * <p>Subjects: S1 (row 1) grants partner sharing; S2 (row 2) grants it and then withdraws it
 * after ingest; S3 (row 3) objects to analytics before ingest (the dealer route's purpose,
 * legitimate interest).
 */
class PrivacyLifecycleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NORD = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final String S1 = "sophie.vogt1@example.com";
    private static final String S2 = "emilia.lange2@example.com";
    private static final String S3 = "maximilian.schulze3@example.com";
    private static final String AGREEMENT = "fahrbank-financed-sales";

    @TempDir
    Path data;
    private CaravanApp app;
    private HttpClient http;
    private String base;
    private String operator;

    @Test
    void consentIngestWithdrawExportEraseReingest() throws Exception {
        try (CaravanApp started = CaravanApp.start(data)) {
            app = started;
            http = HttpClient.newHttpClient();
            base = "http://localhost:" + app.bean(Environment.class).getProperty("local.server.port");
            GeneratedUsers.User user = app.bean(GeneratedUsers.class).users().get(0);
            operator = "Basic " + Base64.getEncoder().encodeToString((user.name() + ":" + user.password()).getBytes(StandardCharsets.UTF_8));

            // 1. consent
            consent(S1, "partner_sharing", "granted", "2026-10-01T10:00:00Z");
            consent(S2, "partner_sharing", "granted", "2026-10-01T10:00:00Z");
            consent(S3, "analytics", "withdrawn", "2026-10-01T10:00:00Z");

            // 2. ingest: S3 is filtered by the route's purpose; everyone else lands
            Path inbox = data.resolve("sftp/dealer-nord/inbox");
            deliver(NORD, inbox);
            assertThat(counts(app.awaitBatches("dealer-nord-sales", 1, WAIT).get(0)))
                    .containsExactly("completed", 40L, 33L, 5L, 1L, 0L, 1L);
            assertThat(sales(S1)).isEqualTo(1);
            assertThat(sales(S2)).isEqualTo(1);
            assertThat(sales(S3)).isZero();
            assertThat(count("SELECT count(*) FROM caravan.sale")).isEqualTo(33);
            assertThat(count("SELECT count(*) FROM caravan.sale WHERE subject_token IS NULL")).isZero();

            // 3. withdraw, after S2's record entered the warehouse
            consent(S2, "partner_sharing", "withdrawn", "2026-11-01T10:00:00Z");

            // 4. export: opt-in partner sharing, checked at export time on each row's subject token
            Map<String, Object> first = export();
            assertThat(first).containsEntry("status", "completed").containsEntry("rows_exported", 1L)
                    .containsEntry("rows_consent_filtered", 32L);
            assertThat(app.jdbc().queryForList("SELECT subject_token FROM caravan.export_log WHERE export_id = ?",
                    String.class, first.get("export_id"))).containsExactly(token(S1));

            // 5. erase S1: its sale goes, its tokens are suppressed, Fahrbank Leasing is listed for notification
            JsonNode erasure = post("/api/erasures", Map.of("email", S1));
            assertThat(erasure.get("rowsDeleted").get("sale").asLong()).isEqualTo(1);
            assertThat(erasure.get("consentEventsDeleted").asLong()).isEqualTo(1);
            assertThat(erasure.get("partners")).hasSize(1);
            assertThat(erasure.get("partners").get(0).get("partnerId").asText()).isEqualTo("fahrbank-leasing");
            assertThat(erasure.get("partners").get(0).get("agreementId").asText()).isEqualTo(AGREEMENT);
            assertThat(erasure.get("partners").get(0).get("exportId").asText()).isEqualTo(first.get("export_id"));
            assertThat(count("SELECT count(*) FROM caravan.sale")).isEqualTo(32);

            // 6. re-ingest the same file: S1 suppressed, S3 still filtered, the rest unchanged
            deliver(NORD, inbox);
            assertThat(counts(app.awaitBatches("dealer-nord-sales", 2, WAIT).get(1)))
                    .containsExactly("completed", 40L, 0L, 5L, 1L, 1L, 33L);
            assertThat(sales(S1)).isZero();
            assertThat(count("SELECT count(*) FROM caravan.sale")).isEqualTo(32);

            // 7. export again: nobody left who granted partner sharing
            Map<String, Object> second = export();
            assertThat(second).containsEntry("status", "completed").containsEntry("rows_exported", 0L)
                    .containsEntry("rows_consent_filtered", 32L);
            JsonNode again = post("/api/erasures", Map.of("email", S1));
            again.get("rowsDeleted").forEach(n -> assertThat(n.asLong()).isZero());
            assertThat(again.get("partners")).hasSize(1);
        }
    }

    private Map<String, Object> export() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/api/agreements/" + AGREEMENT + "/run"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode()).isEqualTo(202);
        String exportId = JSON.readTree(response.body()).get("exportId").asText();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Object> export = app.jdbc().queryForMap("SELECT * FROM caravan.export WHERE export_id = ?", exportId);
            if (!"running".equals(export.get("status"))) {
                return export;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("export " + exportId + " did not finish within " + WAIT);
    }

    private void consent(String email, String purpose, String status, String at) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/api/consents"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("email", email, "purpose", purpose,
                        "status", status, "capturedAt", at)))));
        assertThat(response.statusCode()).isEqualTo(201);
    }

    private JsonNode post(String path, Map<String, String> body) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.header("Authorization", operator).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String token(String email) {
        return app.bean(KeyRing.class).tokeniser(KeyRing.WAREHOUSE).token(email);
    }

    private long sales(String email) {
        return count("SELECT count(*) FROM caravan.sale WHERE email_token = '" + token(email) + "'");
    }

    private long count(String sql) {
        return app.jdbc().queryForObject(sql, Long.class);
    }

    private static List<Object> counts(Map<String, Object> batch) {
        return List.of(batch.get("status"), batch.get("rows_in"), batch.get("rows_delivered"), batch.get("rows_rejected"),
                batch.get("rows_consent_filtered"), batch.get("rows_suppressed"), batch.get("rows_duplicate"));
    }

    private static void deliver(Path sample, Path inbox) throws IOException {
        Files.createDirectories(inbox);
        Path temporary = inbox.resolve("." + sample.getFileName() + ".part");
        Files.copy(sample, temporary, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temporary, inbox.resolve(sample.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        Files.createFile(inbox.resolve(sample.getFileName() + ".ready"));
    }
}
