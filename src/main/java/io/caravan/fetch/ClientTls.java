package io.caravan.fetch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context of a connector with {@code source.tls}: its client certificate chain and key
 * (PEM files, presented when the server asks — mutual TLS) and, when {@code serverCa} is given,
 * that CA as the only trust anchor for the server's certificate (pinned), otherwise the JDK's
 * trust store. Host names are verified by the HTTP client as usual.
 *
 * <p>Stateless. Messages name the connector and the descriptor path of the file, never its content.
 */
final class ClientTls {
    private static final char[] IN_MEMORY = new char[0];

    private ClientTls() {
    }

    static SSLContext context(String connectorId, SourceSpec.Tls tls) {
        try {
            List<X509Certificate> chain = Pem.certificates(read(connectorId, tls.certificate(), "certificate"));
            PrivateKey key;
            try {
                key = Pem.privateKey(read(connectorId, tls.key(), "key"));
            } catch (GeneralSecurityException e) {
                throw new FetchException(connectorId + ": source.tls.key: not an unencrypted PKCS#8 private key (RSA or EC); "
                        + "convert with 'openssl pkcs8 -topk8 -nocrypt'");
            }
            KeyStore identity = KeyStore.getInstance("PKCS12");
            identity.load(null, null);
            identity.setKeyEntry("client", key, IN_MEMORY, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(identity, IN_MEMORY);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (tls.serverCa() == null) {
                trust.init((KeyStore) null);
            } else {
                KeyStore anchors = KeyStore.getInstance("PKCS12");
                anchors.load(null, null);
                int i = 0;
                for (X509Certificate ca : Pem.certificates(read(connectorId, tls.serverCa(), "serverCa"))) {
                    anchors.setCertificateEntry("ca-" + i++, ca);
                }
                trust.init(anchors);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new FetchException(connectorId + ": source.tls: the certificate files are not usable PEM ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static String read(String connectorId, Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new FetchException(connectorId + ": source.tls." + what + ": file cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
