package io.caravan.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTPS webhook receiver for tests: WireMock on a random port with a certificate for
 * {@code localhost} made by the JDK's keytool, and a PKCS12 trust store holding that certificate
 * (give it to Caravan as {@code caravan.notifications.trust-store}). Answers 204 to every POST.
 */
public final class WebhookReceiver implements AutoCloseable {
    public static final String STORE_PASSWORD = "changeit-test";

    private final WireMockServer server;
    private final Path trustStore;

    private WebhookReceiver(WireMockServer server, Path trustStore) {
        this.server = server;
        this.trustStore = trustStore;
    }

    public static WebhookReceiver start(Path dir) {
        Path keyStore = dir.resolve("receiver.p12");
        Path cert = dir.resolve("receiver.cer");
        Path trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "receiver", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "3", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "receiver", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD,
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "receiver", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trust.toString(), "-storepass", STORE_PASSWORD);
        WireMockServer server = new WireMockServer(options().httpDisabled(true).dynamicHttpsPort()
                .keystorePath(keyStore.toString()).keystorePassword(STORE_PASSWORD).keyManagerPassword(STORE_PASSWORD)
                .keystoreType("PKCS12"));
        server.start();
        server.stubFor(post(com.github.tomakehurst.wiremock.client.WireMock.anyUrl()).willReturn(aResponse().withStatus(204)));
        return new WebhookReceiver(server, trust);
    }

    private static void keytool(String... args) {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("keytool could not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code https://localhost:<port><path>}. */
    public String url(String path) {
        return "https://localhost:" + server.httpsPort() + path;
    }

    public Path trustStore() {
        return trustStore;
    }

    /** The POSTs received at {@code path}, oldest first. */
    public List<LoggedRequest> received(String path) {
        return server.findAll(postRequestedFor(urlEqualTo(path)));
    }

    /** HMAC-SHA256 of {@code t + "." + body}, computed here independently of Caravan. */
    public static String expectedSignature(String secret, String t, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
