package io.caravan.lineage;

import io.caravan.error.ConfigException;
import io.caravan.error.ConfigException.Code;
import io.openlineage.client.OpenLineageConfig;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import io.openlineage.client.transports.Transport;
import io.openlineage.client.transports.TransportConfig;
import io.openlineage.client.transports.TransportFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.util.Timeout;

/**
 * Builds the OpenLineage client's transport for a loaded configuration. An {@code https} backend
 * is trusted only through the JVM's trust store, or through the PEM certificates named by
 * {@code caravan.lineage.trust-certificates}; an untrusted certificate fails every send (counted
 * and warned by {@link AsyncTransport}), never silently accepted.
 */
final class LineageTransports {
    private LineageTransports() {
    }

    static Transport build(LineageConfigLoader.Loaded loaded, String trustCertificates) {
        OpenLineageConfig<?> config = loaded.config().orElseThrow();
        TransportConfig transport = config.getTransportConfig();
        try {
            if (transport instanceof HttpConfig http && trustCertificates != null && !trustCertificates.isBlank()
                    && http.getUrl() != null && "https".equals(http.getUrl().getScheme().toLowerCase(Locale.ROOT))) {
                return new HttpTransport(trustingClient(Path.of(trustCertificates.strip()), http), http);
            }
            return new TransportFactory(transport).build();
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new ConfigException(Code.INVALID, loaded.source() + ": $.transport: the OpenLineage " + loaded.transportType()
                    + " transport cannot be built (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static CloseableHttpClient trustingClient(Path pem, HttpConfig http) {
        SSLContext tls = sslContext(pem);
        int timeout = http.getTimeoutInMillis() == null ? 5_000 : http.getTimeoutInMillis();
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setTlsSocketStrategy(new DefaultClientTlsStrategy(tls)).build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.ofMilliseconds(timeout))
                        .setResponseTimeout(Timeout.ofMilliseconds(timeout)).build())
                .build();
    }

    static SSLContext sslContext(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new ConfigException(Code.INVALID, "caravan.lineage.trust-certificates: " + pem + " holds no certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("lineage-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new ConfigException(Code.MISSING, "caravan.lineage.trust-certificates: " + pem + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        } catch (GeneralSecurityException e) {
            throw new ConfigException(Code.INVALID, "caravan.lineage.trust-certificates: " + pem
                    + " is not a PEM file of X.509 certificates");
        }
    }
}
