package io.caravan.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caravan.ledger.JdbcLedger;
import io.caravan.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.commons.lang3.exception.ExceptionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Routes against a partner's own SFTP server (a second, in-process MINA SSHD): the host key must
 * be pinned before anything connects, a mismatching host key ends the connection before
 * authentication, and connection failures reach the ledger.
 */
class PartnerServerIT {
    private static final String PARTNER = "dealer-sued";
    private static DataSource database;

    @TempDir
    Path dir;

    private PartnerSandbox server;
    private CamelContext camel;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.fresh("partner_server_it");
    }

    @BeforeEach
    void startServer() throws IOException {
        new JdbcTemplate(database).update("TRUNCATE caravan.batch CASCADE");
        server = PartnerSandbox.start(dir.resolve("partner"), 0, List.of(PARTNER));
    }

    @AfterEach
    void stop() throws Exception {
        if (camel != null) {
            camel.close();
        }
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"knownHostsFile=RAW(%s)&strictHostKeyChecking=no",
            "knownHostsFile=RAW(%s.missing)&strictHostKeyChecking=yes",
            "knownHostsFile=RAW(%s.other-port)&strictHostKeyChecking=yes",
            "strictHostKeyChecking=yes",
            "knownHostsFile=RAW(%s)&strictHostKeyChecking=yes&autoCreateKnownHostsFile=true"})
    void anSftpRouteWithoutAPinnedHostKeyDoesNotStart(String options) throws Exception {
        Files.writeString(Path.of(server.knownHosts() + ".other-port"),
                PartnerSandbox.knownHostsLine("127.0.0.1", server.port() + 1, server.hostKey()));
        camel = context();
        String uri = sftp(options.formatted(server.knownHosts()));
        camel.addRoutes(route(uri));

        assertThatThrownBy(camel::start).satisfies(e -> assertThat(ExceptionUtils.getThrowableList(e))
                .anyMatch(t -> t instanceof SftpHostKeyPinning.SftpHostKeyException
                        && t.getMessage().contains("127.0.0.1:" + server.port())
                        && !t.getMessage().contains(PartnerSandbox.USER)));
        assertThat(server.authAttempts()).isZero();
    }

    @Test
    void aServerWhoseHostKeyDiffersFromThePinnedOneIsRefusedBeforeAuthenticationAndTheLedgerSaysSo() throws Exception {
        Path impostorPins = dir.resolve("known_hosts_other_key");
        Files.writeString(impostorPins, PartnerSandbox.knownHostsLine("127.0.0.1", server.port(),
                KeyFiles.generateEd25519().getPublic()));
        Files.writeString(server.root().resolve(PARTNER).resolve("outbox/deliveries.csv"), "deal_id\nS1\n");
        camel = context();
        camel.addRoutes(route(sftp("knownHostsFile=RAW(" + impostorPins + ")&strictHostKeyChecking=yes")));
        camel.start();

        Map<String, Object> batch = awaitFailedBatch();

        assertThat(batch).containsEntry("route_id", "partner-poll").containsEntry("partner_id", PARTNER)
                .containsEntry("connector_id", PartnerPollErrors.CONNECTOR)
                .containsEntry("source", "sftp://127.0.0.1:" + server.port() + "/" + PARTNER + "/outbox");
        assertThat((String) batch.get("error")).contains("host key does not match the pinned key");
        assertThat(server.authAttempts()).isZero();
        assertThat(server.root().resolve(PARTNER).resolve("outbox/deliveries.csv")).exists();
    }

    @Test
    void aServerThatCannotBeReachedIsAFailedBatchInTheLedger() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Path pins = dir.resolve("known_hosts_closed");
        Files.writeString(pins, PartnerSandbox.knownHostsLine("127.0.0.1", closedPort, server.hostKey()));
        camel = context();
        camel.addRoutes(route(sftp("knownHostsFile=RAW(" + pins + ")&strictHostKeyChecking=yes")
                .replace(":" + server.port() + "/", ":" + closedPort + "/")));
        camel.start();

        Map<String, Object> batch = awaitFailedBatch();

        assertThat((String) batch.get("error")).startsWith("polling sftp://127.0.0.1:" + closedPort)
                .contains("connection refused");
    }

    @Test
    void aPinnedServerIsPolledAndItsFileMovedToDone() throws Exception {
        Files.writeString(server.root().resolve(PARTNER).resolve("outbox/deliveries.csv"), "deal_id\nS1\n");
        camel = context();
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(sftp("knownHostsFile=RAW(" + server.knownHosts() + ")&strictHostKeyChecking=yes"))
                        .routeId("partner-poll").group(PARTNER)
                        .process(e -> bodies.add(e.getIn().getBody(String.class)));
            }
        });
        camel.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> Files.isDirectory(server.root().resolve(PARTNER).resolve("outbox/.done"))
                && Files.list(server.root().resolve(PARTNER).resolve("outbox/.done")).count() == 1);
        assertThat(bodies).containsExactly("deal_id\nS1\n");
        assertThat(server.authAttempts()).isPositive();
    }

    private Map<String, Object> awaitFailedBatch() {
        JdbcTemplate jdbc = new JdbcTemplate(database);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                jdbc.queryForObject("SELECT count(*) FROM caravan.batch WHERE status = 'failed'", Long.class) > 0);
        return jdbc.queryForMap("SELECT * FROM caravan.batch WHERE status = 'failed'");
    }

    private CamelContext context() {
        CamelContext context = new DefaultCamelContext();
        context.addLifecycleStrategy(new SftpHostKeyPinning());
        context.getRegistry().bind("partnerPollErrors", new PartnerPollErrors(new JdbcLedger(database), context,
                Clock.systemUTC()));
        return context;
    }

    private String sftp(String pinning) {
        return "sftp://127.0.0.1:" + server.port() + "/" + PARTNER + "/outbox?username=" + PartnerSandbox.USER
                + "&privateKeyFile=RAW(" + server.clientKey() + ")&useUserKnownHostsFile=false&" + pinning
                + "&move=.done&moveFailed=.failed&throwExceptionOnConnectFailed=true&pollStrategy=#partnerPollErrors"
                + "&initialDelay=0&delay=100&connectTimeout=5000";
    }

    private static RouteBuilder route(String uri) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId("partner-poll").group(PARTNER).process(e -> { });
            }
        };
    }
}
