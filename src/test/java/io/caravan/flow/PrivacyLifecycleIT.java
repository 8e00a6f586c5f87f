package io.caravan.flow;

import static io.caravan.testing.Inbox.deliver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.caravan.platform.GeneratedUsers;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.testing.ApiClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    private ApiClient api;
    private String operator;

    @Test
    void consentIngestWithdrawExportEraseReingest() throws Exception {
        try (CaravanApp started = CaravanApp.start(data)) {
            connect(started);

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
            assertThat(erasure.get("partners").get(0).get("partnerId").asString()).isEqualTo("fahrbank-leasing");
            assertThat(erasure.get("partners").get(0).get("agreementId").asString()).isEqualTo(AGREEMENT);
            assertThat(erasure.get("partners").get(0).get("exportId").asString()).isEqualTo(first.get("export_id"));
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

    /**
     * Key rotation with the re-key job: S1 is erased, S2 grants partner sharing by e-mail, S3 by
     * subject token only, S4 (row 4) objects to analytics; an export logs S2 and S3. Then the
     * warehouse key is rotated, the old key refused while rows name it, the re-key job moves every
     * row, history entry and log entry, and the old key is destroyed. Afterwards the same file is
     * recognised row for row (duplicates; S1 still suppressed, S4 still filtered), the export
     * still sends S2 and S3, and erasing S2 still finds its row and the partner to notify.
     */
    @Test
    void rotateRekeyAndDestroyTheWarehouseKeyWhileReturningSubjectsStillMatch() throws Exception {
        String adminPassword = "admin-" + java.util.UUID.randomUUID();
        try (CaravanApp started = CaravanApp.start(data, "caravan.security.users[0].name=key-admin",
                "caravan.security.users[0].password={noop}" + adminPassword, "caravan.security.users[0].roles[0]=admin")) {
            connect(started);
            String admin = ApiClient.basic("key-admin", adminPassword);
            String s4 = "oezguer.boehm4@example.com";

            Path inbox = data.resolve("sftp/dealer-nord/inbox");
            deliver(NORD, inbox);
            assertThat(counts(app.awaitBatches("dealer-nord-sales", 1, WAIT).get(0)))
                    .containsExactly("completed", 40L, 34L, 5L, 0L, 0L, 1L);
            post("/api/erasures", Map.of("email", S1));
            consent(S2, "partner_sharing", "granted", "2026-10-01T10:00:00Z");
            postConsent(Map.of("subjectToken", token(S3), "purpose", "partner_sharing", "status", "granted",
                    "capturedAt", "2026-10-01T10:00:00Z"));
            consent(s4, "analytics", "withdrawn", "2026-10-01T10:00:00Z");
            Map<String, Object> before = export();
            assertThat(before).containsEntry("status", "completed").containsEntry("rows_exported", 2L);
            String oldKey = IndependentHmac.warehouseKeyId(data);
            String oldS2 = IndependentHmac.warehouseToken(data, S2);

            // rotate: new rows would use the new key; the old one is still named by every stored row
            HttpResponse<String> rotated = api.post("/api/keys/warehouse/rotate", admin, null);
            assertThat(rotated.statusCode()).isEqualTo(201);
            String newKey = JSON.readTree(rotated.body()).get("keyId").asString();
            assertThat(IndependentHmac.warehouseKeyId(data)).isEqualTo(newKey).isNotEqualTo(oldKey);
            HttpResponse<String> refused = destroy(admin, oldKey);
            assertThat(refused.statusCode()).isEqualTo(409); // (S3's event came by token: no key named, moved all the same)
            assertThat(JSON.readTree(refused.body()).get("error").asString()).contains("sale=33").contains("consent_event=2")
                    .contains("export_log=2").contains("/api/keys/warehouse/rekey");

            // re-key: operators may not; the admin moves everything and the answer counts it
            assertThat(rekey(operator, "warehouse").statusCode()).isEqualTo(403);
            HttpResponse<String> rekeyed = rekey(admin, "warehouse");
            assertThat(rekeyed.statusCode()).isEqualTo(200);
            JsonNode result = JSON.readTree(rekeyed.body());
            assertThat(result.get("activeKey").asString()).isEqualTo(newKey);
            assertThat(result.get("moved").get("sale").asLong()).isEqualTo(33);
            assertThat(result.get("moved").get("consent_event").asLong()).isEqualTo(3);
            assertThat(result.get("moved").get("export_log").asLong()).isEqualTo(2);
            assertThat(result.get("left").size()).isZero();
            assertThat(result.get("sealsRefused").asLong()).isZero();
            assertThat(rekeyed.body()).doesNotContain(oldS2).doesNotContain(IndependentHmac.warehouseToken(data, S2));

            // every token is now the contract's HMAC under the new key, computed independently
            Map<String, Object> s2Row = app.jdbc().queryForMap("SELECT key_id, email_token, phone_token, vin_token, subject_token"
                    + " FROM caravan.sale WHERE sale_id = 'HH-2026-4002'");
            assertThat(s2Row).containsEntry("key_id", newKey)
                    .containsEntry("email_token", IndependentHmac.warehouseToken(data, S2))
                    .containsEntry("subject_token", IndependentHmac.warehouseToken(data, S2))
                    .containsEntry("phone_token", IndependentHmac.warehouseToken(data, "+494066969102"))
                    .containsEntry("vin_token", IndependentHmac.warehouseToken(data, "WVWZZZ3DD55LY8M86"));
            for (String table : List.of("sale", "consent_event", "export_log")) {
                assertThat(count("SELECT count(*) FROM caravan." + table + " WHERE key_id IS DISTINCT FROM '" + newKey + "'"))
                        .as(table).isZero();
            }
            assertThat(count("SELECT count(*) FROM caravan.export_log WHERE subject_token IN ('"
                    + IndependentHmac.warehouseToken(data, S2) + "', '" + IndependentHmac.warehouseToken(data, S3) + "')")).isEqualTo(2);

            // the old key can go now; from here on only the new key can match anybody
            assertThat(destroy(admin, oldKey).statusCode()).isEqualTo(200);
            assertThat(data.resolve("keys/hmac/warehouse/" + oldKey + ".key")).doesNotExist();

            // the same file again: every row recognised; S1 still suppressed, S4's objection still holds
            deliver(NORD, inbox);
            assertThat(counts(app.awaitBatches("dealer-nord-sales", 2, WAIT).get(1)))
                    .containsExactly("completed", 40L, 0L, 5L, 1L, 1L, 33L);
            assertThat(count("SELECT count(*) FROM caravan.sale")).isEqualTo(33);
            Map<String, Object> after = export();
            assertThat(after).containsEntry("status", "completed").containsEntry("rows_exported", 2L);

            // erasure after the old key is gone: the row and both exports are found through the moved log
            JsonNode erasure = post("/api/erasures", Map.of("email", S2));
            assertThat(erasure.get("rowsDeleted").get("sale").asLong()).isEqualTo(1);
            assertThat(erasure.get("consentEventsDeleted").asLong()).isEqualTo(1);
            assertThat(erasure.get("partners")).hasSize(2);

            // idempotent; the suppression list is not re-keyable by design; everything audited
            JsonNode again = JSON.readTree(rekey(admin, "warehouse").body());
            assertThat(again.get("moved").size()).isZero();
            assertThat(again.get("left").size()).isZero();
            assertThat(rekey(admin, "suppression").statusCode()).isEqualTo(409);
            assertThat(rekey(admin, "no-such-domain").statusCode()).isEqualTo(404);
            assertThat(app.jdbc().queryForList("SELECT action || ':' || actor FROM caravan.audit_event WHERE action LIKE 'key_%'"
                    + " ORDER BY audit_id", String.class)).containsExactly("key_activation:key-admin", "key_rekey:key-admin",
                    "key_destruction:key-admin", "key_rekey:key-admin");
        }
    }

    /** Talks to {@code started} as its first generated user (an operator). */
    private void connect(CaravanApp started) {
        app = started;
        api = ApiClient.onLocalhost(app.port());
        GeneratedUsers.User user = app.bean(GeneratedUsers.class).users().get(0);
        operator = ApiClient.basic(user.name(), user.password());
    }

    private HttpResponse<String> rekey(String auth, String domain) {
        return api.post("/api/keys/" + domain + "/rekey", auth, null);
    }

    private HttpResponse<String> destroy(String auth, String keyId) {
        return api.send("DELETE", "/api/keys/warehouse/" + keyId, auth, null);
    }

    private void postConsent(Map<String, String> body) {
        HttpResponse<String> response = api.post("/api/consents", operator, JSON.writeValueAsString(body));
        assertThat(response.statusCode()).isEqualTo(201);
    }

    private Map<String, Object> export() {
        HttpResponse<String> response = api.post("/api/agreements/" + AGREEMENT + "/run", operator, null);
        assertThat(response.statusCode()).isEqualTo(202);
        String exportId = JSON.readTree(response.body()).get("exportId").asString();
        return await("export " + exportId + " to finish").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> app.jdbc().queryForMap("SELECT * FROM caravan.export WHERE export_id = ?", exportId),
                        export -> !"running".equals(export.get("status")));
    }

    private void consent(String email, String purpose, String status, String at) throws Exception {
        postConsent(Map.of("email", email, "purpose", purpose, "status", status, "capturedAt", at));
    }

    private JsonNode post(String path, Map<String, String> body) {
        HttpResponse<String> response = api.post(path, operator, JSON.writeValueAsString(body));
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
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
}
