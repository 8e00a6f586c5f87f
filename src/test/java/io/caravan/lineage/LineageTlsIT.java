package io.caravan.lineage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineage.RunEvent;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lineage backend on TLS with a self-signed certificate (made by the JDK's keytool): refused by
 * default, accepted once its certificate is configured as trusted.
 */
class LineageTlsIT {
    @TempDir
    Path dir;

    private HttpsServer server;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private Path pem;

    @BeforeEach
    void startBackendWithSelfSignedCertificate() throws Exception {
        Path keystore = dir.resolve("backend.p12");
        keytool("-genkeypair", "-alias", "backend", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit");
        pem = dir.resolve("backend.pem");
        keytool("-exportcert", "-rfc", "-alias", "backend", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/api/v1/lineage", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                received.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(201, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void anUntrustedCertificateIsRefusedAndCountedAsFailed() {
        MeterRegistry meters = new SimpleMeterRegistry();
        try (AsyncTransport sink = new AsyncTransport("http", LineageTransports.build(load(), null), 10, meters)) {
            sink.offer(event());
            await().atMost(Duration.ofSeconds(30)).until(() -> outcome(meters, "failed") == 1.0);
        }
        assertThat(received).isEmpty();
        assertThat(outcome(meters, "sent")).isZero();
    }

    @Test
    void aConfiguredTrustedCertificateIsAccepted() {
        MeterRegistry meters = new SimpleMeterRegistry();
        try (AsyncTransport sink = new AsyncTransport("http", LineageTransports.build(load(), pem.toString()), 10, meters)) {
            sink.offer(event());
            await().atMost(Duration.ofSeconds(30)).until(() -> outcome(meters, "sent") == 1.0);
        }
        assertThat(received).singleElement().asString().contains("\"eventType\":\"COMPLETE\"");
    }

    private LineageConfigLoader.Loaded load() {
        return new LineageConfigLoader(Map.of("OPENLINEAGE__TRANSPORT__TYPE", "http",
                "OPENLINEAGE__TRANSPORT__URL", "https://localhost:" + server.getAddress().getPort(),
                "OPENLINEAGE__TRANSPORT__ENDPOINT", "/api/v1/lineage"), dir, null).load();
    }

    private static double outcome(MeterRegistry meters, String outcome) {
        return meters.get("caravan.lineage.events").tag("outcome", outcome).counter().count();
    }

    private static RunEvent event() {
        OpenLineage ol = new OpenLineage(URI.create("https://example.org/caravan-test"));
        return ol.newRunEventBuilder().eventType(RunEvent.EventType.COMPLETE).eventTime(ZonedDateTime.now())
                .run(ol.newRun(UUID.randomUUID(), null)).job(ol.newJob("caravan", "tls-test", null))
                .inputs(List.of()).outputs(List.of()).build();
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("keytool: %s", output).isZero();
    }
}
