package io.caravan.deliver;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Hands a finished export file and its manifest to the partner. The data file always arrives
 * before the manifest, and a partner never sees a data file under its final name before it is
 * complete:
 * <ul>
 *   <li>{@code outbox}: the file was written as a dot-name {@code .part} inside the partner's
 *       gateway {@code outbox/}; it is atomically renamed.</li>
 *   <li>{@code sftp}: uploaded with Camel's {@code sftp} producer under a temporary dot-name and
 *       renamed by the producer when the upload completed ({@code tempFileName}); the partner's
 *       host key is pinned ({@code knownHostsFile}, {@code strictHostKeyChecking=yes}; the
 *       start-up check refuses a missing one).</li>
 *   <li>{@code https}: {@code PUT <url>/<file>}, then {@code PUT <url>/<file>.manifest.json};
 *       a request either completes with a 2xx or fails the export.</li>
 * </ul>
 * Error messages name the transport and file, never credentials.
 */
sealed interface ExportDelivery permits ExportDelivery.ToOutbox, ExportDelivery.ToSftp, ExportDelivery.ToHttps {

    /** Where the data file is written before delivery: inside the outbox or in Caravan's staging folder. */
    Path stagingFolder(Path staging);

    /**
     * Delivers {@code file} (complete, in the staging folder) under its final {@code name}; the
     * exporter calls it for the data file and then for the manifest.
     */
    void deliver(Path file, String name) throws IOException;

    record ToOutbox(Path outbox) implements ExportDelivery {
        @Override
        public Path stagingFolder(Path staging) {
            return outbox;
        }

        @Override
        public void deliver(Path file, String name) throws IOException {
            Files.move(file, outbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    record ToSftp(Agreement.PartnerSftp target, CamelContext camel) implements ExportDelivery {
        @Override
        public Path stagingFolder(Path staging) {
            return staging;
        }

        @Override
        public void deliver(Path file, String name) {
            String uri = "sftp://" + target.host() + ":" + target.port() + "/" + target.directory()
                    + "?username=RAW(" + target.username() + ")"
                    + "&privateKeyFile=RAW(" + target.privateKeyFile() + ")"
                    + "&knownHostsFile=RAW(" + target.knownHostsFile() + ")"
                    + "&strictHostKeyChecking=yes&useUserKnownHostsFile=false"
                    + "&tempFileName=RAW(.${file:name}.part)&fileExist=Override&disconnect=true"
                    + "&connectTimeout=15000&timeout=30000";
            ProducerTemplate producer = camel.createProducerTemplate();
            try {
                send(producer, uri, file, name);
            } finally {
                try {
                    producer.stop();
                } catch (RuntimeException ignored) {
                    // nothing to release beyond the template
                }
            }
        }

        private void send(ProducerTemplate producer, String uri, Path file, String name) {
            Exchange result = producer.send(uri, exchange -> {
                exchange.getIn().setBody(file.toFile());
                exchange.getIn().setHeader(Exchange.FILE_NAME, name);
            });
            if (result.getException() != null) {
                throw new ExportException("sftp upload of " + name + " to " + target.host() + ":" + target.port()
                        + " failed: " + result.getException().getClass().getSimpleName());
            }
        }
    }

    record ToHttps(Agreement.Https target, HttpClient client) implements ExportDelivery {

        static ToHttps of(Agreement.Https target) {
            HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                    .followRedirects(HttpClient.Redirect.NEVER);
            if (target.trustCertificate() != null) {
                builder.sslContext(trusting(Path.of(target.trustCertificate())));
            }
            return new ToHttps(target, builder.build());
        }

        @Override
        public Path stagingFolder(Path staging) {
            return staging;
        }

        @Override
        public void deliver(Path file, String name) throws IOException {
            put(file, name, name.endsWith(".json") ? "application/json" : "text/csv");
        }

        private void put(Path file, String name, String contentType) throws IOException {
            String base = target.url().endsWith("/") ? target.url() : target.url() + "/";
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + name)).timeout(Duration.ofMinutes(10))
                    .header("Content-Type", contentType)
                    .PUT(HttpRequest.BodyPublishers.ofFile(file)).build();
            HttpResponse<Void> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.discarding());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ExportException("https upload of " + name + " interrupted");
            } catch (IOException e) {
                throw new ExportException("https upload of " + name + " to " + URI.create(base).getHost()
                        + " failed: " + e.getClass().getSimpleName());
            }
            if (response.statusCode() / 100 != 2) {
                throw new ExportException("https upload of " + name + " to " + URI.create(base).getHost()
                        + " answered " + response.statusCode());
            }
        }

        private static SSLContext trusting(Path pem) {
            try (InputStream in = Files.newInputStream(pem)) {
                Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                        .generateCertificates(in);
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (Certificate certificate : certificates) {
                    store.setCertificateEntry("partner-" + i++, certificate);
                }
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, trust.getTrustManagers(), null);
                return context;
            } catch (IOException | GeneralSecurityException e) {
                throw new ExportException("trustCertificate " + pem + " cannot be used: " + e.getClass().getSimpleName());
            }
        }
    }

    static ExportDelivery of(Agreement agreement, Path sftpRoot, CamelContext camel) {
        Agreement.Transport transport = agreement.transport();
        if (transport instanceof Agreement.PartnerSftp sftp) {
            return new ToSftp(sftp, Objects.requireNonNull(camel, "camel"));
        }
        if (transport instanceof Agreement.Https https) {
            return ToHttps.of(https);
        }
        return new ToOutbox(sftpRoot.resolve(agreement.partner()).resolve("outbox"));
    }
}
