package io.caravan.flow;

import static io.caravan.testing.ApiClient.basic;
import static io.caravan.testing.Inbox.deliver;
import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.caravan.platform.GeneratedUsers;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.testing.ApiClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The privacy calls of the ops API against the real application (embedded PostgreSQL, generated
 * keys and users, the repository's routes): roles, {@code 400} naming the field, audit rows,
 * idempotent erasure with the partners to notify, suppression of an erased subject's later rows
 * through the real dealer route, re-identification, key rotation and destruction, retention.
 * One application serves every test; each test uses identifiers of its own.
 */
class PrivacyApiIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();

    @TempDir
    static Path data;
    private static CaravanApp app;
    private static ApiClient api;
    private static String operator;
    private static String viewer;
    private static final String ADMIN = basic("privacy-admin", ADMIN_PASSWORD);

    @BeforeAll
    static void start() {
        app = CaravanApp.start(data,
                "caravan.security.users[0].name=privacy-admin",
                "caravan.security.users[0].password={noop}" + ADMIN_PASSWORD,
                "caravan.security.users[0].roles[0]=admin");
        api = ApiClient.onLocalhost(app.port());
        GeneratedUsers users = app.bean(GeneratedUsers.class);
        operator = basic(users.users().get(0).name(), users.users().get(0).password());
        viewer = basic(users.users().get(1).name(), users.users().get(1).password());
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    // ---- consents ----

    @Test
    void consentIsStoredUnderTheWarehouseTokenOfTheNormalisedEmailAndAudited() throws Exception {
        String email = "  Consent.Giver@Example.COM ";
        Answer answer = post("/api/consents", operator, Map.of("email", email, "purpose", "marketing_activation",
                "status", "granted", "capturedAt", "2026-11-01T10:00:00+01:00", "source", "preference-centre"));

        assertThat(answer.status()).isEqualTo(201);
        String token = warehouseToken("consent.giver@example.com");
        assertThat(answer.json().get("subjectToken").asString()).isEqualTo(token);
        assertThat(answer.body()).doesNotContainIgnoringCase("consent.giver");
        Map<String, Object> stored = app.jdbc().queryForMap("SELECT * FROM caravan.consent_event WHERE event_id = ?",
                answer.json().get("eventId").asString());
        assertThat(stored).containsEntry("subject_token", token).containsEntry("purpose", "marketing_activation")
                .containsEntry("status", "granted").containsEntry("basis", "consent")
                .containsEntry("source", "preference-centre")
                .containsEntry("key_id", app.bean(KeyRing.class).tokeniser(KeyRing.WAREHOUSE).keyId());
        assertThat(((Timestamp) stored.get("captured_at")).toInstant()).isEqualTo(Instant.parse("2026-11-01T09:00:00Z"));
        Map<String, Object> audit = app.jdbc().queryForMap(
                "SELECT actor, action, detail::text AS detail FROM caravan.audit_event WHERE subject = ?",
                answer.json().get("eventId").asString());
        assertThat(audit).containsEntry("actor", "operator").containsEntry("action", "consent");
        assertThat((String) audit.get("detail")).contains("marketing_activation").doesNotContainIgnoringCase("consent.giver");
    }

    @Test
    void consentByPhoneAndBySubjectTokenReachTheSameSubject() throws Exception {
        Answer byPhone = post("/api/consents", operator, Map.of("phone", "0151 1234 5670", "purpose", "analytics",
                "status", "withdrawn", "capturedAt", "2026-11-02T08:00:00Z"));
        String token = warehouseToken("+4915112345670");
        assertThat(byPhone.json().get("subjectToken").asString()).isEqualTo(token);

        Answer byToken = post("/api/consents", operator, Map.of("subjectToken", token, "purpose", "analytics",
                "status", "granted", "capturedAt", "2026-11-03T08:00:00Z", "eventId", "evt-token-1"));
        Answer again = post("/api/consents", operator, Map.of("subjectToken", token, "purpose", "analytics",
                "status", "granted", "capturedAt", "2026-11-03T08:00:00Z", "eventId", "evt-token-1"));

        assertThat(byToken.json().get("recorded").asBoolean()).isTrue();
        assertThat(again.json().get("recorded").asBoolean()).isFalse();
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.consent_event WHERE subject_token = ?",
                Long.class, token)).isEqualTo(2L);
    }

    @Test
    void badConsentRequestsAreRefusedNamingTheField() throws Exception {
        Map<String, String> good = Map.of("email", "bad.request@example.com", "purpose", "analytics",
                "status", "granted", "capturedAt", "2026-11-01T10:00:00Z");
        assertRefused(with(good, "purpose", "profiling"), "purpose");
        assertRefused(with(good, "status", "maybe"), "status");
        assertRefused(with(good, "email", "not-an-address"), "email");
        assertRefused(with(good, "capturedAt", "yesterday"), "capturedAt");
        assertRefused(with(good, "capturedAt", "2026-11-01T10:00:00"), "capturedAt");
        assertRefused(without(good, "email"), "email");
        assertRefused(with(without(good, "email"), "phone", "12"), "phone");
        assertRefused(with(without(good, "email"), "subjectToken", "bad.request@example.com"), "subjectToken");
        assertRefused(with(good, "phone", "+4915112345671"), "email");
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.consent_event WHERE subject_token = ?",
                Long.class, warehouseToken("bad.request@example.com"))).isZero();
    }

    @Test
    void consentsNeedTheOperatorRole() throws Exception {
        Map<String, String> request = Map.of("email", "role.check@example.com", "purpose", "analytics",
                "status", "granted", "capturedAt", "2026-11-01T10:00:00Z");
        assertThat(post("/api/consents", viewer, request).status()).isEqualTo(403);
        assertThat(post("/api/consents", null, request).status()).isEqualTo(401);
        assertThat(post("/api/consents", ADMIN, request).status()).isEqualTo(201);
    }

    // ---- erasure ----

    @Test
    void erasureDeletesEveryRowOfTheSubjectAcrossTablesSuppressesItsTokensAndListsThePartners() throws Exception {
        String email = "erase.me@example.com";
        String phone = "+4915112340001";
        String emailToken = warehouseToken(email);
        String phoneToken = warehouseToken(phone);
        String keyId = app.bean(KeyRing.class).tokeniser(KeyRing.WAREHOUSE).keyId();
        insertSale("erase-sale-1", emailToken, phoneToken, emailToken, keyId,
                seal(Map.of("email_token", email, "phone_token", phone, "subject_token", email)));
        insertLead("erase-lead-1", null, phoneToken, phoneToken, keyId,       // only known by phone: found through the sale
                seal(Map.of("phone_token", phone, "subject_token", phone)));
        insertSale("erase-keep-1", warehouseToken("someone.else@example.com"), null, warehouseToken("someone.else@example.com"), keyId);
        post("/api/consents", operator, Map.of("email", email, "purpose", "analytics", "status", "granted",
                "capturedAt", "2026-10-01T10:00:00Z"));
        insertExport("exp-erase-1", "allsecura", "agr-allsecura-1", phoneToken, "2026-11-05T07:00:00Z");
        insertExport("exp-erase-2", "fahrbank-leasing", "agr-fahrbank-1", emailToken, "2026-11-06T07:00:00Z");

        Answer first = post("/api/erasures", operator, Map.of("email", " Erase.Me@example.com"));

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("rowsDeleted").get("sale").asLong()).isEqualTo(1);
        assertThat(first.json().get("rowsDeleted").get("lead").asLong()).isEqualTo(1);
        assertThat(first.json().get("rowsDeleted").get("contract").asLong()).isZero();
        assertThat(first.json().get("consentEventsDeleted").asLong()).isEqualTo(1);
        assertThat(partners(first)).containsExactly("allsecura:agr-allsecura-1:exp-erase-1:2026-11-05T07:00:00Z",
                "fahrbank-leasing:agr-fahrbank-1:exp-erase-2:2026-11-06T07:00:00Z");
        assertThat(first.body()).doesNotContain(emailToken).doesNotContain(phoneToken).doesNotContainIgnoringCase("erase.me");
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.sale WHERE record_key = 'erase-keep-1'", Long.class))
                .isEqualTo(1L);
        // the suppression list: the e-mail given and the phone the deleted rows' seals named, in the suppression key domain
        assertThat(app.jdbc().queryForList("SELECT token FROM caravan.suppression WHERE erasure_id = ?", String.class,
                first.json().get("erasureId").asString())).containsExactlyInAnyOrder(suppressionToken(email), suppressionToken(phone))
                .doesNotContain(emailToken, phoneToken);
        Map<String, Object> audit = app.jdbc().queryForMap(
                "SELECT actor, detail::text AS detail FROM caravan.audit_event WHERE action = 'erasure' AND subject = ?",
                first.json().get("erasureId").asString());
        assertThat(audit.get("actor")).isEqualTo("operator");
        assertThat((String) audit.get("detail")).contains("allsecura").doesNotContain(emailToken).doesNotContain(phoneToken);

        Answer second = post("/api/erasures", operator, Map.of("phone", "0151 12340001"));

        assertThat(second.status()).isEqualTo(200);
        second.json().get("rowsDeleted").forEach(count -> assertThat(count.asLong()).isZero());
        assertThat(second.json().get("consentEventsDeleted").asLong()).isZero();
        assertThat(second.json().get("tokensSuppressed").asLong()).isZero();
        assertThat(partners(second)).isEqualTo(partners(first));
    }

    @Test
    void anErasedSubjectsLaterRowsAreCountedSuppressedAndNotRecreated() throws Exception {
        Path inbox = data.resolve("sftp/dealer-nord/inbox");
        deliver(Path.of("samples/dealer-nord/verkaeufe_2026-10.csv"), inbox);
        app.awaitBatches("dealer-nord-sales", 1, WAIT);
        String token = warehouseToken("sophie.vogt1@example.com");
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.sale WHERE email_token = ?", Long.class, token))
                .isEqualTo(1L);

        Answer erasure = post("/api/erasures", operator, Map.of("email", "sophie.vogt1@example.com"));
        assertThat(erasure.json().get("rowsDeleted").get("sale").asLong()).isEqualTo(1);

        deliver(Path.of("samples/dealer-nord/verkaeufe_2026-10.csv"), inbox);
        Map<String, Object> again = app.awaitBatches("dealer-nord-sales", 2, WAIT).get(1);

        assertThat(List.of(again.get("status"), again.get("rows_in"), again.get("rows_delivered"), again.get("rows_rejected"),
                again.get("rows_consent_filtered"), again.get("rows_suppressed"), again.get("rows_duplicate")))
                .containsExactly("completed", 40L, 0L, 5L, 0L, 1L, 34L);
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.sale WHERE email_token = ? OR phone_token = ?",
                Long.class, token, warehouseToken("+493023125101"))).isZero();
    }

    @Test
    void erasureCryptoShredsTheKeptFileOfTheBatchThatDeliveredTheSubjectAndAuditsIt() throws Exception {
        Path inbox = data.resolve("sftp/dealer-sued/inbox");
        deliver(Path.of("samples/dealer-sued/deliveries_2026-10.csv"), inbox);
        String batchId = (String) app.awaitBatches("dealer-sued-deliveries", 1, WAIT).get(0).get("batch_id");
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !app.bean(io.caravan.pseudonymise.Archive.class)
                .entries(batchId).isEmpty());
        Path kept = app.bean(io.caravan.pseudonymise.Archive.class).entries(batchId).get(0).path();
        try (java.io.InputStream plain = app.bean(io.caravan.pseudonymise.Archive.class).open(batchId)) {
            assertThat(new String(plain.readAllBytes(), StandardCharsets.UTF_8)).contains("S70001");
        }

        Answer erasure = post("/api/erasures", operator, Map.of("email", "amelie.lefevre.1@kunden.test"));

        assertThat(erasure.status()).isEqualTo(200);
        assertThat(erasure.json().get("archivesShredded")).singleElement()
                .satisfies(a -> assertThat(a.get("batchId").asString()).isEqualTo(batchId))
                .satisfies(a -> assertThat(a.get("partner").asString()).isEqualTo("dealer-sued"));
        assertThat(kept).doesNotExist();
        assertThat(app.jdbc().queryForMap("SELECT wrapped_key, shredded_by FROM caravan.archive WHERE batch_id = ?", batchId))
                .containsEntry("wrapped_key", null)
                .containsEntry("shredded_by", erasure.json().get("erasureId").asString());
        assertThat(app.jdbc().queryForObject("SELECT detail::text FROM caravan.audit_event WHERE action = 'archive_shred'"
                + " AND detail->>'batchId' = ?", String.class, batchId))
                .contains("erasure").contains(erasure.json().get("erasureId").asString()).doesNotContain("kunden.test");
        assertThat(post("/api/erasures", operator, Map.of("email", "amelie.lefevre.1@kunden.test")).json()
                .get("archivesShredded")).as("a second erasure").isEmpty();
    }

    @Test
    void badErasureRequestsAreRefusedNamingTheField() throws Exception {
        assertThat(post("/api/erasures", operator, Map.of()).json().get("field").asString()).isEqualTo("email");
        assertThat(post("/api/erasures", operator, Map.of("email", "nope")).json().get("field").asString()).isEqualTo("email");
        assertThat(post("/api/erasures", operator, Map.of("phone", "12")).json().get("field").asString()).isEqualTo("phone");
        assertThat(post("/api/erasures", viewer, Map.of("email", "x@example.com")).status()).isEqualTo(403);
        assertThat(post("/api/erasures", null, Map.of("email", "x@example.com")).status()).isEqualTo(401);
    }

    // ---- consent feeds ----

    @Test
    void preferenceCentreFilesBecomeConsentEventsWithEveryRowAccountedFor() throws Exception {
        Path inbox = data.resolve("sftp/preference-centre/inbox");
        deliver(Path.of("samples/preference-centre/consents_2026-11-04.csv"), inbox);
        Map<String, Object> csv = app.awaitBatches("preference-centre-consents", 1, WAIT).get(0);

        assertThat(counts(csv)).containsExactly("completed", 12L, 6L, 5L, 0L, 0L, 1L, 1L);
        assertThat(csv.get("target_table")).isEqualTo("consent_event");
        assertThat(app.jdbc().queryForList("SELECT row_number || ':' || field || ':' || reason FROM caravan.rejection"
                + " WHERE batch_id = ? ORDER BY row_number", String.class, csv.get("batch_id"))).containsExactly(
                "6:email:e-mail must have exactly one @ after a local part",
                "7:purpose:unknown purpose spelling",
                "8:status:status must be granted or withdrawn (or a spelling the feed maps)",
                "9:capturedAt:not an ISO-8601 time with offset",
                "10:tcString:not a decodable TCF v2 consent string");
        assertThat(latest("lena.koch@example.com", "marketing_activation")).isEqualTo("withdrawn");   // opt_out on 11-04 wins
        assertThat(latest("jonas.weber@example.com", "marketing_activation")).isEqualTo("granted");
        assertThat(latest("+4915123456782", "analytics")).isEqualTo("withdrawn");
        assertThat(latest("mia.fischer@example.com", "marketing_activation")).isEqualTo("granted");   // TC string: 1,3,4,7,8,9
        assertThat(latest("paul.wagner@example.com", "analytics")).isEqualTo("granted");              // TC string: 1,8,9
        assertThat(latest("paul.wagner@example.com", "marketing_activation")).isEqualTo("withdrawn");
        assertThat(app.jdbc().queryForObject("SELECT captured_at FROM caravan.consent_event WHERE subject_token = ?"
                + " AND purpose = 'analytics'", Timestamp.class, warehouseToken("paul.wagner@example.com")).toInstant())
                .isEqualTo(Instant.parse("2026-11-01T08:00:00Z"));

        deliver(Path.of("samples/preference-centre/consents_2026-11-05.json"), inbox);
        Map<String, Object> json = app.awaitBatches("preference-centre-consents", 2, WAIT).get(1);
        assertThat(counts(json)).containsExactly("completed", 4L, 3L, 1L, 0L, 0L, 0L, 0L);
        assertThat(latest("lena.koch@example.com", "partner_sharing")).isEqualTo("granted");
        assertThat(latest("+4915123456783", "marketing_activation")).isEqualTo("withdrawn");

        post("/api/erasures", operator, Map.of("email", "mia.fischer@example.com"));
        deliver(Path.of("samples/preference-centre/consents_2026-11-04.csv"), inbox);
        Map<String, Object> again = app.awaitBatches("preference-centre-consents", 3, WAIT).get(2);

        assertThat(counts(again)).containsExactly("completed", 12L, 0L, 5L, 0L, 1L, 6L, 1L);
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.consent_event WHERE subject_token = ?",
                Long.class, warehouseToken("mia.fischer@example.com"))).isZero();
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.audit_event WHERE action = 'consent_feed'",
                Long.class)).isEqualTo(3L);
    }

    // ---- re-identification ----

    @Test
    void reidentificationDecryptsOneValueAndAuditsWhoWhenWhichRecordAndWhy() throws Exception {
        app.jdbc().execute("CREATE TABLE IF NOT EXISTS caravan.reid_probe (record_key text PRIMARY KEY, email_enc text, ingested_at timestamptz)");
        String ciphertext = app.bean(KeyRing.class).cipher().encrypt("email", "reid.subject@example.com");
        app.jdbc().update("INSERT INTO caravan.reid_probe VALUES ('rk-1', ?, now())", ciphertext);

        Answer refusedForViewer = post("/api/reidentifications", viewer, Map.of("table", "reid_probe", "recordKey", "rk-1",
                "field", "email", "reason", "ticket 42"));
        assertThat(refusedForViewer.status()).isEqualTo(403);
        assertRefused("/api/reidentifications", Map.of("table", "nope", "recordKey", "rk-1", "field", "email", "reason", "x"), "table");
        assertRefused("/api/reidentifications", Map.of("table", "reid_probe", "recordKey", "rk-1", "field", "phone", "reason", "x"), "field");
        assertRefused("/api/reidentifications", Map.of("table", "reid_probe", "recordKey", "rk-1", "field", "email"), "reason");
        assertThat(post("/api/reidentifications", operator, Map.of("table", "reid_probe", "recordKey", "rk-404",
                "field", "email", "reason", "ticket 42")).status()).isEqualTo(404);
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.audit_event WHERE action = 'reidentification'",
                Long.class)).isZero();

        Answer answer = post("/api/reidentifications", ADMIN, Map.of("table", "reid_probe", "recordKey", "rk-1",
                "field", "email_enc", "reason", "ticket 42: subject access request"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("value").asString()).isEqualTo("reid.subject@example.com");
        Map<String, Object> audit = app.jdbc().queryForMap(
                "SELECT actor, subject, occurred_at, detail::text AS detail FROM caravan.audit_event WHERE action = 'reidentification'");
        assertThat(audit).containsEntry("actor", "privacy-admin").containsEntry("subject", "reid_probe:rk-1");
        assertThat(audit.get("occurred_at")).isNotNull();
        assertThat((String) audit.get("detail")).contains("ticket 42: subject access request").contains("\"field\": \"email\"")
                .doesNotContain("reid.subject");
    }

    // ---- keys ----

    @Test
    void keysAreRotatedByAnAdminAndARetiredKeyIsDestroyedOnlyWhenNoRowNamesIt() throws Exception {
        String domain = "allsecura";
        String before = app.bean(KeyRing.class).tokeniser(domain).keyId();
        assertThat(post("/api/keys/" + domain + "/rotate", operator, Map.of()).status()).isEqualTo(403);

        Answer rotated = post("/api/keys/" + domain + "/rotate", ADMIN, Map.of());

        assertThat(rotated.status()).isEqualTo(201);
        String after = rotated.json().get("keyId").asString();
        assertThat(after).isNotEqualTo(before).startsWith(domain + "-");
        assertThat(app.bean(KeyRing.class).tokeniser(domain).keyId()).isEqualTo(after);
        Answer list = get("/api/keys", viewer);
        assertThat(list.status()).isEqualTo(200);
        String material = Files.readString(data.resolve("keys/hmac/" + domain + "/" + before + ".key")).strip();
        assertThat(list.body()).contains(before).contains(after).doesNotContain(material);
        assertThat(rotated.body()).doesNotContain(material);

        assertThat(delete("/api/keys/" + domain + "/" + after, ADMIN).status()).isEqualTo(409);
        insertSale("key-ref-1", null, null, null, before);
        Answer referenced = delete("/api/keys/" + domain + "/" + before, ADMIN);
        assertThat(referenced.status()).isEqualTo(409);
        assertThat(referenced.json().get("error").asString()).contains("sale=1");
        assertThat(delete("/api/keys/" + domain + "/" + before, operator).status()).isEqualTo(403);

        app.jdbc().update("DELETE FROM caravan.sale WHERE record_key = 'key-ref-1'");
        Answer destroyed = delete("/api/keys/" + domain + "/" + before, ADMIN);

        assertThat(destroyed.status()).isEqualTo(200);
        assertThat(data.resolve("keys/hmac/" + domain + "/" + before + ".key")).doesNotExist();
        assertThat(app.bean(KeyRing.class).byKeyId(before)).isEmpty();
        assertThat(app.jdbc().queryForList("SELECT action || ':' || subject || ':' || actor FROM caravan.audit_event"
                + " WHERE action IN ('key_activation', 'key_destruction') ORDER BY audit_id", String.class))
                .containsExactly("key_activation:" + after + ":privacy-admin", "key_destruction:" + before + ":privacy-admin");
    }

    // ---- retention ----

    @Test
    void retentionRunDeletesRowsOlderThanTheTablesMaximumAgeAndAuditsIt() throws Exception {
        String keyId = app.bean(KeyRing.class).tokeniser(KeyRing.WAREHOUSE).keyId();
        insertLead("retention-old", null, null, null, keyId, null);
        insertLead("retention-new", null, null, null, keyId, null);
        app.jdbc().update("UPDATE caravan.lead SET ingested_at = now() - interval '731 days' WHERE record_key = 'retention-old'");
        assertThat(post("/api/retention/run", viewer, Map.of()).status()).isEqualTo(403);

        Answer run = post("/api/retention/run", operator, Map.of());

        assertThat(run.status()).isEqualTo(200);
        assertThat(run.json().get("rowsDeleted").get("lead").asLong()).isEqualTo(1);
        assertThat(app.jdbc().queryForList("SELECT record_key FROM caravan.lead WHERE record_key LIKE 'retention-%'", String.class))
                .containsExactly("retention-new");
        Map<String, Object> audit = app.jdbc().queryForMap("SELECT actor, detail::text AS detail FROM caravan.audit_event"
                + " WHERE action = 'retention_purge' ORDER BY audit_id DESC LIMIT 1");
        assertThat(audit.get("actor")).isEqualTo("operator");
        assertThat((String) audit.get("detail")).contains("\"lead\": 1").contains("ingested_at");
    }

    @Test
    void theRetentionScheduleComesFromConfigurationAndScheduledRunsActAsTheSystem() throws Exception {
        org.apache.camel.Route route = app.bean(org.apache.camel.CamelContext.class).getRoute("privacy-retention");
        assertThat(route).isNotNull();
        assertThat(route.getEndpoint().getEndpointUri()).startsWith("quartz://privacy/retention").contains("cron=0+30+3");

        app.bean(io.caravan.privacy.RetentionPurge.class).runScheduled();

        assertThat(app.jdbc().queryForObject("SELECT actor FROM caravan.audit_event WHERE action = 'retention_purge'"
                + " ORDER BY audit_id DESC LIMIT 1", String.class)).isEqualTo("system:retention");
    }

    // ---- audit ----

    @Test
    void auditIsReadByViewersNewestFirstAndPaged() throws Exception {
        for (int i = 0; i < 3; i++) {
            post("/api/consents", operator, Map.of("email", "audit.page" + i + "@example.com", "purpose", "analytics",
                    "status", "granted", "capturedAt", "2026-11-01T10:00:00Z"));
        }
        assertThat(get("/api/audit", null).status()).isEqualTo(401);

        Answer first = get("/api/audit?action=consent&limit=2", viewer);
        assertThat(first.status()).isEqualTo(200);
        JsonNode entries = first.json().get("entries");
        assertThat(entries).hasSize(2);
        long newest = entries.get(0).get("auditId").asLong();
        long next = first.json().get("next").asLong();
        assertThat(newest).isGreaterThan(next);
        assertThat(next).isEqualTo(entries.get(1).get("auditId").asLong());

        Answer second = get("/api/audit?action=consent&limit=2&before=" + next, viewer);
        assertThat(second.json().get("entries").get(0).get("auditId").asLong()).isLessThan(next);
        assertThat(first.body()).doesNotContain("audit.page");
        assertThat(get("/api/audit?limit=0", viewer).json().get("field").asString()).isEqualTo("limit");
    }

    // ---- fixtures ----

    private record Answer(int status, String body) {
        static Answer of(HttpResponse<String> response) {
            return new Answer(response.statusCode(), response.body());
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private static Answer post(String path, String auth, Map<String, ?> body) {
        return Answer.of(api.post(path, auth, JSON.writeValueAsString(body)));
    }

    private static Answer get(String path, String auth) {
        return Answer.of(api.get(path, auth));
    }

    private static Answer delete(String path, String auth) {
        return Answer.of(api.send("DELETE", path, auth, null));
    }

    private static void assertRefused(Map<String, String> consent, String field) throws Exception {
        assertRefused("/api/consents", consent, field);
    }

    private static void assertRefused(String path, Map<String, String> body, String field) throws Exception {
        Answer answer = post(path, operator, body);
        assertThat(answer.status()).as(path + " " + field).isEqualTo(400);
        assertThat(answer.json().get("field").asString()).isEqualTo(field);
        for (String value : body.values()) {
            if (value.length() > 3 && !List.of("analytics", "granted", "email", "reid_probe", "rk-1").contains(value)) {
                assertThat(answer.body()).as("the answer quotes no value").doesNotContain(value);
            }
        }
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> out = new java.util.HashMap<>(base);
        out.put(key, value);
        return out;
    }

    private static Map<String, String> without(Map<String, String> base, String key) {
        Map<String, String> out = new java.util.HashMap<>(base);
        out.remove(key);
        return out;
    }

    private static String warehouseToken(String normalised) {
        return app.bean(KeyRing.class).tokeniser(KeyRing.WAREHOUSE).token(normalised);
    }

    private static String latest(String normalised, String purpose) {
        return app.jdbc().queryForObject("""
                SELECT status FROM caravan.consent_event WHERE subject_token = ? AND purpose = ?
                ORDER BY captured_at DESC, event_id COLLATE "C" DESC LIMIT 1""", String.class, warehouseToken(normalised), purpose);
    }

    private static List<Object> counts(Map<String, Object> batch) {
        return List.of(batch.get("status"), batch.get("rows_in"), batch.get("rows_delivered"), batch.get("rows_rejected"),
                batch.get("rows_consent_filtered"), batch.get("rows_suppressed"), batch.get("rows_duplicate"), batch.get("warnings"));
    }

    private static void insertSale(String recordKey, String email, String phone, String subject, String keyId) {
        insertSale(recordKey, email, phone, subject, keyId, null);
    }

    private static void insertSale(String recordKey, String email, String phone, String subject, String keyId, String sealed) {
        app.jdbc().update("""
                INSERT INTO caravan.sale (record_key, connector_id, partner_id, data_class, batch_id, ingested_at, policy_id,
                    key_id, sale_id, email_token, phone_token, subject_token, sealed_identifiers)
                VALUES (?, 'test', 'dealer-nord', 'first_party', 'b-test', now(), 'warehouse', ?, ?, ?, ?, ?, ?)""",
                recordKey, keyId, recordKey, email, phone, subject, sealed);
    }

    private static void insertLead(String recordKey, String email, String phone, String subject, String keyId, String sealed) {
        app.jdbc().update("""
                INSERT INTO caravan.lead (record_key, connector_id, partner_id, data_class, batch_id, ingested_at, policy_id,
                    key_id, lead_id, email_token, phone_token, subject_token, sealed_identifiers)
                VALUES (?, 'test', 'autoboerse', 'second_party', 'b-test', now(), 'warehouse', ?, ?, ?, ?, ?, ?)""",
                recordKey, keyId, recordKey, email, phone, subject, sealed);
    }

    private static String seal(Map<String, String> values) {
        return app.bean(KeyRing.class).identitySeal().seal(values);
    }

    private static String suppressionToken(String normalised) {
        return app.bean(KeyRing.class).tokeniser(KeyRing.SUPPRESSION).token(normalised);
    }

    private static void insertExport(String exportId, String partner, String agreement, String subjectToken, String at) {
        app.jdbc().update("""
                INSERT INTO caravan.export (export_id, partner_id, agreement_id, dataset, started_at, status)
                VALUES (?, ?, ?, 'sale', ?::timestamptz, 'completed')""", exportId, partner, agreement, at);
        app.jdbc().update("""
                INSERT INTO caravan.export_log (export_id, partner_id, agreement_id, subject_token, exported_at)
                VALUES (?, ?, ?, ?, ?::timestamptz)""", exportId, partner, agreement, subjectToken, at);
    }

    private static List<String> partners(Answer answer) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        answer.json().get("partners").forEach(p -> out.add(p.get("partnerId").asString() + ":" + p.get("agreementId").asString()
                + ":" + p.get("exportId").asString() + ":" + p.get("exportedAt").asString()));
        return out;
    }
}
