package io.caravan.flow;

import static io.caravan.testing.Inbox.deliver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.platform.GeneratedUsers;
import io.caravan.pseudonymise.FieldCipher;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.testing.ApiClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Marketplace lead routing to the selling dealer, end to end through the real application: the
 * Autoboerse ADF samples are ingested with policy {@code warehouse-leads}, which keeps each lead's
 * e-mail and phone as tokens and, beside them, AES-SIV ciphertext ({@code email_enc},
 * {@code phone_enc}); the shipped agreement {@code dealer-nord-lead-routing} exports Autohaus Nord's
 * leads (its vendor ids only) to its outbox with the contact details decrypted at export time for
 * that partner, audited, under purpose {@code dealer_follow_up}; an objection stops the next export
 * of that prospect, and an erasure lists Autohaus Nord as a recipient to notify.
 */
class LeadRoutingIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NORD_VENDORS = List.of("HH-01", "HH-02", "KI-01");

    @TempDir
    Path data;

    @Test
    void aDealerReceivesItsOwnLeadsContactDetailsDecryptedOnlyAtExportTime() throws Exception {
        try (CaravanApp app = CaravanApp.start(data)) {
            ApiClient api = ApiClient.onLocalhost(app.port());
            GeneratedUsers.User user = app.bean(GeneratedUsers.class).users().get(0);
            String operator = ApiClient.basic(user.name(), user.password());
            Path inbox = data.resolve("sftp/autoboerse/inbox");
            String samples = "";
            for (String name : List.of("leads_2026-11-02.xml", "leads_2026-11-03.xml")) {
                Path sample = Path.of("samples/autoboerse", name);
                samples += Files.readString(sample, StandardCharsets.UTF_8);
                deliver(sample, inbox);
                app.awaitBatchOf("autoboerse-leads-adf", name, WAIT);
            }

            // the warehouse holds tokens and ciphertext, never the address; the ciphertext is AES-SIV of the normalised value
            FieldCipher cipher = app.bean(KeyRing.class).cipher();
            List<Map<String, Object>> leads = app.jdbc().queryForList(
                    "SELECT lead_id, dealer_id, email_token, email_enc, phone_enc, subject_token FROM caravan.lead"
                            + " WHERE connector_id = 'autoboerse-leads-adf' ORDER BY lead_id");
            assertThat(leads).isNotEmpty();
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.lead l WHERE l::text LIKE '%@%'", Long.class))
                    .isZero();
            List<Map<String, Object>> withEmail = leads.stream().filter(l -> l.get("email_enc") != null).toList();
            assertThat(withEmail).isNotEmpty().allSatisfy(l -> assertThat(l.get("email_token")).isNotNull());
            for (Map<String, Object> lead : withEmail) {
                String email = cipher.decrypt("email", (String) lead.get("email_enc"));
                assertThat(samples.toLowerCase(Locale.ROOT)).contains(email);
                assertThat(cipher.encrypt("email", email)).as("deterministic").isEqualTo(lead.get("email_enc"));
            }
            List<Map<String, Object>> nords = leads.stream().filter(l -> l.get("dealer_id") != null && NORD_VENDORS.contains(l.get("dealer_id"))).toList();
            assertThat(nords).isNotEmpty().hasSizeLessThan(leads.size()); // another dealer's leads exist too

            // the export: Autohaus Nord's leads only, contact details in clear for this partner, audited
            Map<String, Object> export = export(app, api, operator);
            assertThat(export.get("status")).isEqualTo("completed");
            List<String[]> rows = exportedRows((String) export.get("file_name"));
            assertThat(rows.get(0)).containsExactly("lead_id", "lead_at", "request_type", "dealer_id", "make", "model",
                    "model_year", "email", "phone");
            List<String[]> body = rows.subList(1, rows.size());
            assertThat(body).extracting(r -> r[0]).containsExactlyInAnyOrderElementsOf(
                    nords.stream().map(l -> (String) l.get("lead_id")).toList());
            assertThat(body).extracting(r -> r[3]).allMatch(NORD_VENDORS::contains);
            Map<String, Object> followed = withEmail.stream().filter(nords::contains).findFirst().orElseThrow();
            String followedEmail = cipher.decrypt("email", (String) followed.get("email_enc"));
            assertThat(body).anySatisfy(r -> {
                assertThat(r[0]).isEqualTo(followed.get("lead_id"));
                assertThat(r[7]).isEqualTo(followedEmail);
            });
            assertThat(body).allSatisfy(r -> assertThat(r[7].isEmpty() || r[7].contains("@")).isTrue());
            Map<String, Object> audited = app.jdbc().queryForMap("SELECT actor, subject, detail::text AS detail"
                    + " FROM caravan.audit_event WHERE action = 'export_decryption'");
            assertThat(audited.get("subject")).isEqualTo(export.get("export_id"));
            assertThat((String) audited.get("detail")).contains("dealer-nord", "dealer_follow_up", "email_enc", "phone_enc")
                    .doesNotContain("@");

            // the access report of that prospect lists exactly their lead rows, the batches they came from and the dealer
            List<Map<String, Object>> theirs = withEmail.stream()
                    .filter(l -> cipher.decrypt("email", (String) l.get("email_enc")).equals(followedEmail)).toList();
            HttpResponse<String> access = api.post("/api/subject-access", operator,
                    JSON.writeValueAsString(Map.of("email", followedEmail)));
            assertThat(access.statusCode()).isEqualTo(200);
            JsonNode report = JSON.readTree(access.body());
            assertThat(report.get("records").get("lead")).extracting(r -> r.get("lead_id").asString())
                    .containsExactlyInAnyOrderElementsOf(theirs.stream().map(l -> (String) l.get("lead_id")).toList());
            assertThat(report.get("records").get("lead")).allSatisfy(r -> assertThat(r.has("email_enc")).isFalse());
            assertThat(report.get("sources")).extracting(s -> s.get("batch_id").asString())
                    .containsExactlyInAnyOrderElementsOf(app.jdbc().queryForList(
                            "SELECT DISTINCT batch_id FROM caravan.lead WHERE subject_token = ?", String.class,
                            theirs.get(0).get("subject_token")));
            assertThat(report.get("recipients")).extracting(r -> r.get("partner_id").asString() + "/" + r.get("export_id").asString())
                    .containsExactly("dealer-nord/" + export.get("export_id"));
            assertThat(access.body().replace(followedEmail, "")).doesNotContain("@");

            // the prospect objects to the follow-up: the next export leaves the lead out
            HttpResponse<String> objection = api.post("/api/consents", operator, JSON.writeValueAsString(Map.of(
                    "email", followedEmail, "purpose", "dealer_follow_up", "status", "withdrawn",
                    "capturedAt", "2026-11-20T08:00:00Z")));
            assertThat(objection.statusCode()).as(objection.body()).isEqualTo(201);
            Map<String, Object> again = export(app, api, operator);
            assertThat(again.get("rows_consent_filtered")).isEqualTo(1L);
            assertThat(exportedRows((String) again.get("file_name"))).extracting(r -> r[0]).doesNotContain((String) followed.get("lead_id"));

            // an erasure of a prospect the dealer received lists the dealer to notify
            Map<String, Object> received = nords.stream().filter(l -> l.get("email_enc") != null && !l.equals(followed))
                    .findFirst().orElseThrow();
            HttpResponse<String> erased = api.post("/api/erasures", operator, JSON.writeValueAsString(
                    Map.of("email", cipher.decrypt("email", (String) received.get("email_enc")))));
            JsonNode partners = JSON.readTree(erased.body()).get("partners");
            assertThat(partners).extracting(p -> p.get("partnerId").asString()).contains("dealer-nord");
        }
    }

    private Map<String, Object> export(CaravanApp app, ApiClient api, String operator) throws Exception {
        HttpResponse<String> response = api.post("/api/agreements/dealer-nord-lead-routing/run", operator, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String exportId = JSON.readTree(response.body()).get("exportId").asString();
        return await("export " + exportId).atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> app.jdbc().queryForMap("SELECT * FROM caravan.export WHERE export_id = ?", exportId),
                        e -> !"running".equals(e.get("status")));
    }

    private List<String[]> exportedRows(String fileName) throws Exception {
        Path file;
        try (Stream<Path> files = Files.walk(data.resolve("sftp/dealer-nord/outbox"))) {
            file = files.filter(p -> p.getFileName().toString().equals(fileName)).findFirst().orElseThrow();
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            rows.add(line.split(",", -1));
        }
        return rows;
    }
}
