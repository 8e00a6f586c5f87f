package io.caravan.notify;

import static io.caravan.testing.ApiClient.basic;
import static io.caravan.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.caravan.audit.AuditTrail;
import io.caravan.ledger.JdbcLedger;
import io.caravan.ledger.Ledger;
import io.caravan.pipeline.BatchContext;
import io.caravan.testing.ApiClient;
import io.caravan.testing.MutableClock;
import io.caravan.testing.TestDatabase;
import io.caravan.testing.WebhookReceiver;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Delivery calendar and notifications through the real application parts: PostgreSQL, the ledger,
 * the scheduled delivery monitor, the dispatcher, a real HTTPS webhook receiver (WireMock with a
 * keytool certificate), a real SMTP server (GreenMail) and the ops API with its security. Time is a
 * clock the test moves: a month passes without sleeping.
 */
@SpringBootTest(classes = NotificationsIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.embedded.enabled=false",
        "caravan.data-dir=target/notifications-it-data",
        "caravan.security.users[0].name=vera",
        "caravan.security.users[0].password={noop}vera-test-pass",
        "caravan.security.users[0].roles[0]=viewer",
        "camel.main.routes-include-pattern=classpath:nothing-here/*.camel.yaml",
        "spring.flyway.schemas=caravan",
        "spring.datasource.username=postgres",
        "caravan.deliveries.evaluate-every=PT0.2S",
        "caravan.notifications.poll=PT0S",
        "caravan.notifications.retry.max-attempts=3",
        "caravan.notifications.retry.initial-backoff=PT1M",
        "caravan.notifications.retry.max-backoff=PT10M",
        "caravan.notifications.mail-from=caravan@caravan.example",
        "IT_HOOK_SECRET=it-webhook-secret-0123456789",
})
@AutoConfigureMetrics
class NotificationsIT {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final String SECRET = "it-webhook-secret-0123456789";
    private static final String VIEWER = basic("vera", "vera-test-pass");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MutableClock CLOCK = new MutableClock(berlin("2026-10-01T00:00"));
    private static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    private static Path dir;
    private static WebhookReceiver receiver;

    @DynamicPropertySource
    static void environment(DynamicPropertyRegistry registry) throws IOException {
        TestDatabase.fresh("notifications_it");
        dir = Files.createTempDirectory("notifications-it");
        receiver = WebhookReceiver.start(dir);
        SMTP.start();
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort(); // nothing listens here once the socket is closed: a receiver that is down
        }
        Files.copy(Path.of("config/holidays.yaml"), dir.resolve("holidays.yaml"));
        Files.writeString(dir.resolve("partners.yaml"), """
                partners:
                  - id: dealer-x
                    name: Dealer X
                    deliveries:
                      - flow: dealer-x-sales
                        since: 2026-11-01
                        zone: Europe/Berlin
                        holidays: de-public
                        monthly: { businessDay: 3, by: "06:00" }
                  - id: dealer-y
                    name: Dealer Y
                """);
        Files.writeString(dir.resolve("notifications.yaml"), """
                channels:
                  ops-hook:
                    webhook: { url: "%s", secretFrom: IT_HOOK_SECRET }
                  ops-mail:
                    email: { to: [data-ops@caravan.example] }
                  down-hook:
                    webhook: { url: "https://localhost:%d/hooks/down", secretFrom: IT_HOOK_SECRET }
                subscriptions:
                  - kinds: [delivery_missing, delivery_late]
                    partners: [dealer-x]
                    channels: [ops-hook, ops-mail]
                  - kinds: [batch_failed]
                    partners: [dealer-y]
                    channels: [down-hook]
                """.formatted(receiver.url("/hooks/ops"), closed));
        registry.add("spring.datasource.url", () -> TestDatabase.jdbcUrl("notifications_it"));
        registry.add("caravan.config-dir", dir::toString);
        registry.add("caravan.notifications.trust-store", () -> receiver.trustStore().toString());
        registry.add("caravan.notifications.trust-store-password", () -> WebhookReceiver.STORE_PASSWORD);
        registry.add("spring.mail.host", () -> "localhost");
        registry.add("spring.mail.port", () -> SMTP.getSmtp().getPort());
    }

    @AfterAll
    static void stop() {
        receiver.close();
        SMTP.stop();
    }

    @LocalServerPort
    int port;
    @Autowired
    Ledger ledger;
    @Autowired
    NotificationDispatcher dispatcher;

    private static Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    private JsonNode get(String path) {
        HttpResponse<String> answer = ApiClient.onLocalhost(port).get(path, VIEWER);
        assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(200);
        return json(answer);
    }

    private JsonNode novemberOfDealerX() {
        return get("/api/deliveries?partner=dealer-x&from=2026-11-01&to=2026-11-30");
    }

    @Test
    void aMissingMonthlyFileTurnsMissingAtTheDeadlineAndSendsOneSignedWebhookAndOneEmail() throws Exception {
        // November 2026: Mon 2, Tue 3, Wed 4 -> due Wednesday the 4th, 06:00 Berlin
        CLOCK.set(berlin("2026-11-04T05:59"));
        Thread.sleep(600); // the monitor runs every 0.2 s: nothing is due yet
        assertThat(novemberOfDealerX()).singleElement().satisfies(d -> {
            assertThat(d.path("outcome").asString()).isEqualTo("pending");
            assertThat(d.path("deadline").asString()).isEqualTo("2026-11-04T05:00:00Z");
        });
        assertThat(receiver.received("/hooks/ops")).isEmpty();

        CLOCK.set(berlin("2026-11-04T06:00"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(novemberOfDealerX().get(0).path("outcome").asString()).isEqualTo("missing"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(receiver.received("/hooks/ops")).hasSize(1);
            assertThat(SMTP.getReceivedMessages()).hasSize(1);
        });

        CLOCK.advance(Duration.ofMinutes(30));
        Thread.sleep(1000); // several more evaluations: told once
        assertThat(receiver.received("/hooks/ops")).hasSize(1);
        assertThat(SMTP.getReceivedMessages()).hasSize(1);

        LoggedRequest hook = receiver.received("/hooks/ops").get(0);
        String body = hook.getBodyAsString();
        String signature = hook.getHeader("Caravan-Signature");
        assertThat(signature).matches("t=\\d+,v1=[0-9a-f]{64}");
        String t = signature.substring(2, signature.indexOf(','));
        assertThat(t).isEqualTo(String.valueOf(berlin("2026-11-04T06:00").getEpochSecond()));
        assertThat(signature.substring(signature.indexOf("v1=") + 3)).isEqualTo(WebhookReceiver.expectedSignature(SECRET, t, body));
        JsonNode sent = JSON.readTree(body);
        assertThat(sent.path("kind").asString()).isEqualTo("delivery_missing");
        assertThat(sent.path("partner").asString()).isEqualTo("dealer-x");
        assertThat(sent.path("facts").path("flow").asString()).isEqualTo("dealer-x-sales");
        assertThat(sent.path("facts").path("deadline").asString()).isEqualTo("2026-11-04T05:00:00Z");
        assertThat(hook.getHeader("Caravan-Notification-Id")).isEqualTo(sent.path("id").asString());

        MimeMessage mail = SMTP.getReceivedMessages()[0];
        assertThat(mail.getSubject()).isEqualTo("[Caravan] delivery_missing: dealer-x");
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("data-ops@caravan.example");
        assertThat(mail.getContent().toString()).contains("flow: dealer-x-sales").contains("deadline: 2026-11-04T05:00:00Z");

        // the notifications and the metrics say the same
        JsonNode log = get("/api/notifications?partner=dealer-x&kind=delivery_missing");
        assertThat(log).hasSize(2).allSatisfy(n -> {
            assertThat(n.path("status").asString()).isEqualTo("sent");
            assertThat(n.path("attempts").asInt()).isEqualTo(1);
        });
        String metrics = ApiClient.onLocalhost(port).get("/actuator/prometheus", null).body();
        assertThat(metrics).containsPattern("caravan_deliveries_total\\{[^}]*outcome=\"missing\",partner=\"dealer-x\"[^}]*} 1\\.0");

        // the file arrives after all: late by 2 h 30 min, told once more
        String batchId = "b-" + UUID.randomUUID();
        ledger.open(new BatchContext(batchId, "dealer-x-sales", "dealer-x-sales", "dealer-x", "first_party", "export.csv",
                berlin("2026-11-04T08:30")));
        CLOCK.set(berlin("2026-11-04T09:00"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(receiver.received("/hooks/ops")).hasSize(2));
        assertThat(novemberOfDealerX()).singleElement().satisfies(d -> {
            assertThat(d.path("outcome").asString()).isEqualTo("late");
            assertThat(d.path("batchId").asString()).isEqualTo(batchId);
            assertThat(d.path("latenessSeconds").asLong()).isEqualTo(9000);
        });
        assertThat(JSON.readTree(receiver.received("/hooks/ops").get(1).getBodyAsString()).path("kind").asString()).isEqualTo("delivery_late");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(SMTP.getReceivedMessages()).hasSize(2));
        assertThat(ApiClient.onLocalhost(port).get("/actuator/prometheus", null).body())
                .containsPattern("caravan_delivery_lateness_seconds_sum\\{[^}]*partner=\"dealer-x\"[^}]*} 9000\\.0");
    }

    @Test
    void aWebhookThatIsDownIsRetriedWithBackOffAndTheFailureIsVisible() {
        CLOCK.set(berlin("2026-10-01T00:00")); // before any calendar starts
        String batchId = "b-" + UUID.randomUUID();
        ledger.open(new BatchContext(batchId, "dealer-y-sales", "dealer-y-sales", "dealer-y", "first_party", "y.csv", CLOCK.instant()));
        ledger.fail(batchId, "file is not valid CSV");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(failedBatchNotice().path("attempts").asInt()).isEqualTo(1));
        JsonNode first = failedBatchNotice();
        assertThat(first.path("status").asString()).isEqualTo("pending");
        assertThat(first.path("lastError").asString()).isEqualTo("ConnectException");
        assertThat(first.path("nextAttemptAt").asString()).isEqualTo("2026-09-30T22:01:00Z");
        assertThat(first.path("facts").path("batchId").asString()).isEqualTo(batchId);

        CLOCK.advance(Duration.ofSeconds(59));
        assertThat(dispatcher.dispatchDue()).as("not due before its back-off").isZero();
        CLOCK.advance(Duration.ofSeconds(1));
        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        assertThat(failedBatchNotice().path("nextAttemptAt").asString()).as("back-off doubles").isEqualTo("2026-09-30T22:03:00Z");
        CLOCK.advance(Duration.ofMinutes(2));
        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        CLOCK.advance(Duration.ofHours(1));
        assertThat(dispatcher.dispatchDue()).as("given up after 3 attempts").isZero();

        JsonNode failed = get("/api/notifications?status=failed&kind=batch_failed").get(0);
        assertThat(failed.path("id").asString()).isEqualTo(first.path("id").asString());
        assertThat(failed.path("channel").asString()).isEqualTo("down-hook");
        assertThat(failed.path("attempts").asInt()).isEqualTo(3);
        assertThat(failed.path("nextAttemptAt").isNull()).isTrue();
        assertThat(failed.path("log")).hasSize(3).allSatisfy(a -> {
            assertThat(a.path("outcome").asString()).isEqualTo("failed");
            assertThat(a.path("detail").asString()).isEqualTo("ConnectException");
        });
        assertThat(failed.toString()).doesNotContain("localhost").doesNotContain(SECRET);
    }

    @Test
    void theDeliveriesAndNotificationsApiNeedsAViewerAndNamesBadInput() {
        ApiClient api = ApiClient.onLocalhost(port);
        assertThat(api.get("/api/deliveries", null).statusCode()).isEqualTo(401);
        assertThat(api.get("/api/notifications", null).statusCode()).isEqualTo(401);
        for (String[] bad : new String[][] {{"/api/deliveries?from=yesterday", "from"}, {"/api/deliveries?to=2026-13-01", "to"},
                {"/api/deliveries?from=2026-12-01&to=2026-11-01", "from"}, {"/api/deliveries?from=2025-01-01&to=2026-12-31", "to"},
                {"/api/notifications?kind=delivery_mising", "kind"}, {"/api/notifications?status=lost", "status"},
                {"/api/notifications?limit=0", "limit"}}) {
            HttpResponse<String> answer = api.get(bad[0], VIEWER);
            assertThat(answer.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(json(answer).path("field").asString()).as(bad[0]).isEqualTo(bad[1]);
        }
        assertThat(api.get("/api/deliveries?partner=no-such-partner", VIEWER).statusCode()).isEqualTo(404);
        JsonNode partners = get("/api/deliveries/calendars");
        assertThat(partners).extracting(p -> p.path("partner").asString()).containsExactly("dealer-x", "dealer-y");
        assertThat(partners.get(0).path("calendars").get(0).path("schedule").asString()).isEqualTo("monthly by 06:00 on business day 3");
        assertThat(partners.get(1).path("calendars")).isEmpty();
    }

    private JsonNode failedBatchNotice() {
        JsonNode list = get("/api/notifications?partner=dealer-y&kind=batch_failed");
        assertThat(list).hasSize(1);
        return list.get(0);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @ComponentScan(basePackages = {"io.caravan.ops", "io.caravan.platform", "io.caravan.calendar", "io.caravan.notify"},
            excludeFilters = @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class))
    static class App {
        @Bean
        JdbcLedger ledger(DataSource dataSource) {
            return new JdbcLedger(dataSource);
        }

        @Bean
        AuditTrail auditTrail(DataSource dataSource) {
            return new AuditTrail(dataSource, new ObjectMapper());
        }

        /** What the reload and preview services of ops need from the packages this test does not scan. */
        @Bean
        io.caravan.connector.ConnectorRegistry connectorRegistry() {
            return new io.caravan.connector.ConnectorRegistry(java.nio.file.Path.of("connectors"),
                    java.nio.file.Path.of("config/vocabularies.yaml"), java.util.Set.of("csv", "fixed-width", "adf-xml", "json"));
        }

        @Bean
        @Primary
        Clock testClock() {
            return CLOCK;
        }
    }
}
