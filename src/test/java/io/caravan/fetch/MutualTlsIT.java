package io.caravan.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS against a real in-process HTTPS server (the JDK's) that requires a client certificate
 * signed by its CA: the connector presents its certificate from PEM files and pins the server's CA;
 * a server whose certificate does not chain to the pinned CA is refused; a connector without a
 * client certificate is refused by the server. Test PKI in {@code src/test/resources/fetch-tls}.
 */
class MutualTlsIT {
    private static final Path PKI = Path.of("src/test/resources/fetch-tls");

    static HttpsServer bank;
    static FetchPipeline pipeline;
    static final List<String> clientSubjects = new CopyOnWriteArrayList<>();
    @TempDir
    static Path connectors;

    @BeforeAll
    static void start() throws Exception {
        bank = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        SSLContext server = serverContext();
        bank.setHttpsConfigurator(new HttpsConfigurator(server) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters ssl = server.getDefaultSSLParameters();
                ssl.setNeedClientAuth(true);
                params.setSSLParameters(ssl);
            }
        });
        bank.createContext("/contracts", exchange -> {
            try (exchange) {
                X509Certificate client = (X509Certificate) ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0];
                clientSubjects.add(client.getSubjectX500Principal().getName());
                byte[] body = "{\"data\":[{\"id\":\"C-1\",\"make\":\"VW\"},{\"id\":\"C-2\",\"make\":\"Audi\"}]}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        bank.start();
        String url = "https://127.0.0.1:" + bank.getAddress().getPort();
        write("mtls", "auth: { type: mtls }\n  tls: { certificate: \"{{it.cert}}\", key: \"{{it.key}}\", serverCa: \"{{it.ca}}\" }");
        write("wrongca", "auth: { type: mtls }\n  tls: { certificate: \"{{it.cert}}\", key: \"{{it.key}}\", serverCa: \"{{it.other-ca}}\" }");
        write("nocert", "auth: { type: none }");
        pipeline = new FetchPipeline("mutual_tls_it", connectors, Map.of("it.url", url,
                "it.cert", PKI.resolve("client.pem").toString(), "it.key", PKI.resolve("client.key").toString(),
                "it.ca", PKI.resolve("ca.pem").toString(), "it.other-ca", PKI.resolve("other-ca.pem").toString()),
                "it-mtls", "it-wrongca", "it-nocert");
    }

    private static void write(String name, String auth) throws Exception {
        FetchPipeline.write(connectors, name + ".yaml", "id: it-" + name + "\ntitle: IT bank " + name + "\npartner: it-bank\n"
                + "dataClass: second_party\nrecord: lead\nformat: { type: json, records: data }\nsource:\n"
                + "  baseUrl: \"{{it.url}}\"\n  path: /contracts\n  " + auth + "\n"
                + "  retry: { maxAttempts: 1, budget: PT5S }\n"
                + "naturalKey: [lead_id]\nfields:\n  lead_id: { column: id, type: text, required: true }\n"
                + "  make: { column: make, type: text }\n");
    }

    private static SSLContext serverContext() throws Exception {
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        identity.setKeyEntry("server", Pem.privateKey(Files.readString(PKI.resolve("server.key"))), new char[0],
                Pem.certificates(Files.readString(PKI.resolve("server.pem"))).toArray(new X509Certificate[0]));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity, new char[0]);
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("ca", Pem.certificates(Files.readString(PKI.resolve("ca.pem"))).get(0));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        bank.stop(0);
    }

    @Test
    void theClientCertificateIsPresentedAndThePinnedCaAcceptsTheServer() {
        pipeline.run("it-mtls");

        Map<String, Object> batch = pipeline.lastBatch("it-mtls");
        assertThat(pipeline.counts(batch)).as(String.valueOf(batch.get("error"))).containsExactly("completed", 2L, 2L, 0L, 0L);
        assertThat(clientSubjects).contains("CN=caravan-client");
    }

    @Test
    void aServerWhoseCertificateDoesNotChainToThePinnedCaIsRefused() {
        pipeline.run("it-wrongca");

        Map<String, Object> batch = pipeline.lastBatch("it-wrongca");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(batch.get("error")).isEqualTo("it-wrongca: page 1: connection failed (SSLHandshakeException) after 1 attempt(s); "
                + "retry budget exhausted");
    }

    @Test
    void aConnectorWithoutAClientCertificateIsRefusedByTheServer() {
        pipeline.run("it-nocert");

        Map<String, Object> batch = pipeline.lastBatch("it-nocert");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(String.valueOf(batch.get("error"))).startsWith("it-nocert: page 1: connection failed (");
    }
}
