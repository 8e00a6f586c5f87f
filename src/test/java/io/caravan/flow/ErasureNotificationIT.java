package io.caravan.flow;

import static io.caravan.testing.Inbox.deliver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.caravan.platform.GeneratedUsers;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.testing.ApiClient;
import io.caravan.testing.WebhookReceiver;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * GDPR Art. 19 through the real application: two partners receive exports (Kreditwerk only S2,
 * Fahrbank Leasing S1 and S2), a third (the northern dealer group) none. Erasing S1 sends one
 * signed notification to Fahrbank Leasing and none to the others; erasing S2 one to each of the
 * two that received S2. Every notification has its receipt in the audit; no identifier or token
 * leaves in any of them; a repeated erasure tells the same partners again, and only them.
 */
class ErasureNotificationIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NORD = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final String S1 = "sophie.vogt1@example.com";
    private static final String S2 = "emilia.lange2@example.com";
    private static final String SECRET = "erasure-it-secret-0123456789abcdef";

    @TempDir
    Path data;
    @TempDir
    Path work;
    private CaravanApp app;
    private ApiClient api;
    private String operator;

    @Test
    void anErasureSendsOneSignedNotificationToEachPartnerThatReceivedTheSubjectAndNoneToTheOthers() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start(work)) {
            Path config = configWithASecondPartnerAgreement(receiver);
            try (CaravanApp started = CaravanApp.start(data, "caravan.config-dir=" + config,
                    "caravan.notifications.trust-store=" + receiver.trustStore(),
                    "caravan.notifications.trust-store-password=" + WebhookReceiver.STORE_PASSWORD,
                    "CARAVAN_IT_ERASURE_SECRET=" + SECRET)) {
                app = started;
                api = ApiClient.onLocalhost(app.port());
                GeneratedUsers.User user = app.bean(GeneratedUsers.class).users().get(0);
                operator = ApiClient.basic(user.name(), user.password());

                deliver(NORD, data.resolve("sftp/dealer-nord/inbox"));
                app.awaitBatches("dealer-nord-sales", 1, WAIT);
                consent(S2);
                assertThat(export("kreditwerk-sales")).containsEntry("rows_exported", 1L);
                consent(S1);
                assertThat(export("fahrbank-financed-sales")).containsEntry("rows_exported", 2L);

                String firstErasure = erase(S1);
                await().atMost(WAIT).untilAsserted(() -> assertThat(receiver.received("/privacy/fahrbank")).hasSize(1));
                Thread.sleep(1000);
                assertThat(receiver.received("/privacy/kreditwerk")).isEmpty();
                assertThat(receiver.received("/privacy/nord")).isEmpty();
                JsonNode toFahrbank = verified(receiver.received("/privacy/fahrbank").get(0));
                assertThat(toFahrbank.path("kind").asString()).isEqualTo("erasure");
                assertThat(toFahrbank.path("partner").asString()).isEqualTo("fahrbank-leasing");
                assertThat(toFahrbank.path("facts").path("erasureId").asString()).isEqualTo(firstErasure);
                assertThat(toFahrbank.path("facts").path("exports").asInt()).isEqualTo(1);
                assertThat(toFahrbank.path("facts").path("agreements").get(0).asString()).isEqualTo("fahrbank-financed-sales");

                String secondErasure = erase(S2);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(receiver.received("/privacy/fahrbank")).hasSize(2);
                    assertThat(receiver.received("/privacy/kreditwerk")).hasSize(1);
                });
                JsonNode toKreditwerk = verified(receiver.received("/privacy/kreditwerk").get(0));
                assertThat(toKreditwerk.path("partner").asString()).isEqualTo("kreditwerk");
                assertThat(toKreditwerk.path("facts").path("erasureId").asString()).isEqualTo(secondErasure);
                assertThat(verified(receiver.received("/privacy/fahrbank").get(1)).path("facts").path("erasureId").asString())
                        .isEqualTo(secondErasure);

                // erasing S1 again deletes nothing more and tells the same partner again, under its own id
                String repeated = erase(S1);
                await().atMost(WAIT).untilAsserted(() -> assertThat(receiver.received("/privacy/fahrbank")).hasSize(3));
                assertThat(verified(receiver.received("/privacy/fahrbank").get(2)).path("facts").path("erasureId").asString())
                        .isEqualTo(repeated);
                Thread.sleep(1000);
                assertThat(receiver.received("/privacy/kreditwerk")).hasSize(1);
                assertThat(receiver.received("/privacy/nord")).isEmpty();

                // receipts in the audit: queued and sent, one per notification, naming partner and notification
                List<Map<String, Object>> receipts = app.jdbc().queryForList("""
                        SELECT subject, detail->>'partner' AS partner, detail->>'status' AS status, detail->>'notificationId' AS id
                          FROM caravan.audit_event WHERE action = 'erasure_notification' ORDER BY audit_id""");
                assertThat(receipts).extracting(r -> r.get("subject") + " " + r.get("partner") + " " + r.get("status"))
                        .containsExactlyInAnyOrder(
                                firstErasure + " fahrbank-leasing queued", firstErasure + " fahrbank-leasing sent",
                                secondErasure + " fahrbank-leasing queued", secondErasure + " fahrbank-leasing sent",
                                secondErasure + " kreditwerk queued", secondErasure + " kreditwerk sent",
                                repeated + " fahrbank-leasing queued", repeated + " fahrbank-leasing sent");
                assertThat(receipts).allSatisfy(r -> assertThat((String) r.get("id")).startsWith("n-"));

                // nothing that identifies a person left in any notification or receipt
                String everything = Stream.of(receiver.received("/privacy/fahrbank"), receiver.received("/privacy/kreditwerk"))
                        .flatMap(List::stream).map(LoggedRequest::getBodyAsString).reduce("", String::concat)
                        + app.jdbc().queryForList("SELECT facts::text FROM caravan.notification", String.class)
                        + app.jdbc().queryForList("SELECT detail::text FROM caravan.audit_event WHERE action LIKE 'erasure_notification%'", String.class);
                for (String subject : List.of(S1, S2)) {
                    assertThat(everything).doesNotContain(subject).doesNotContain(token(subject));
                }
            }
        }
    }

    /** The repository's config, plus an agreement for Kreditwerk and erasure webhooks for three partners. */
    private Path configWithASecondPartnerAgreement(WebhookReceiver receiver) throws IOException {
        Path config = work.resolve("config");
        Files.createDirectories(config);
        try (Stream<Path> files = Files.list(Path.of("config"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, config.resolve(file.getFileName()));
            }
        }
        Files.writeString(config.resolve("policies.yaml"), Files.readString(config.resolve("policies.yaml")) + """
                  - id: partner-kreditwerk
                    title: Exports to Kreditwerk
                    description: Test policy of ErasureNotificationIT.
                    keyDomain: kreditwerk
                    keep: [sale_id, sale_date, make, model]
                    fields:
                      email: hmac
                      phone: hmac
                """);
        Files.writeString(config.resolve("agreements.yaml"), Files.readString(config.resolve("agreements.yaml")) + """
                  - id: kreditwerk-sales
                    title: Sales for Kreditwerk (test)
                    partner: kreditwerk
                    dataset:
                      table: sale
                      columns: [sale_id, sale_date, make, model, subject_token]
                    purpose: partner_sharing
                    policy: partner-kreditwerk
                    validUntil: 2099-12-31
                    format: csv
                    transport: { type: outbox }
                """);
        Files.writeString(config.resolve("notifications.yaml"), """
                channels:
                  fahrbank-privacy:
                    webhook: { url: "%s", secretFrom: CARAVAN_IT_ERASURE_SECRET }
                  kreditwerk-privacy:
                    webhook: { url: "%s", secretFrom: CARAVAN_IT_ERASURE_SECRET }
                  nord-privacy:
                    webhook: { url: "%s", secretFrom: CARAVAN_IT_ERASURE_SECRET }
                subscriptions:
                  - { kinds: [erasure], partners: [fahrbank-leasing], channels: [fahrbank-privacy] }
                  - { kinds: [erasure], partners: [kreditwerk], channels: [kreditwerk-privacy] }
                  - { kinds: [erasure], partners: [dealer-nord], channels: [nord-privacy] }
                """.formatted(receiver.url("/privacy/fahrbank"), receiver.url("/privacy/kreditwerk"), receiver.url("/privacy/nord")));
        return config;
    }

    /** The body, after checking its signature independently. */
    private static JsonNode verified(LoggedRequest request) {
        String signature = request.getHeader("Caravan-Signature");
        assertThat(signature).matches("t=\\d+,v1=[0-9a-f]{64}");
        String t = signature.substring(2, signature.indexOf(','));
        assertThat(signature.substring(signature.indexOf("v1=") + 3))
                .isEqualTo(WebhookReceiver.expectedSignature(SECRET, t, request.getBodyAsString()));
        return JSON.readTree(request.getBodyAsString());
    }

    private void consent(String email) {
        HttpResponse<String> response = api.post("/api/consents", operator, JSON.writeValueAsString(Map.of("email", email,
                "purpose", "partner_sharing", "status", "granted", "capturedAt", "2026-10-01T10:00:00Z", "source", "test")));
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    }

    private Map<String, Object> export(String agreement) {
        HttpResponse<String> response = api.post("/api/agreements/" + agreement + "/run", operator, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String exportId = JSON.readTree(response.body()).get("exportId").asString();
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> app.jdbc().queryForMap("SELECT * FROM caravan.export WHERE export_id = ?", exportId),
                        e -> !"running".equals(e.get("status")));
    }

    private String erase(String email) {
        HttpResponse<String> response = api.post("/api/erasures", operator, JSON.writeValueAsString(Map.of("email", email)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("erasureId").asString();
    }

    private String token(String email) {
        return app.bean(KeyRing.class).tokeniser(KeyRing.WAREHOUSE).token(email);
    }
}
