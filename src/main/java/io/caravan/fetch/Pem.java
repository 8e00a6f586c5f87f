package io.caravan.fetch;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM text: X.509 certificates and unencrypted PKCS#8 private keys ({@code BEGIN PRIVATE KEY}, RSA
 * or EC). A PKCS#1 {@code BEGIN RSA PRIVATE KEY} is refused with the conversion to use. Messages
 * never quote the text.
 */
final class Pem {
    private static final Pattern PRIVATE_KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s\\\\n]+)-----END PRIVATE KEY-----");

    private Pem() {
    }

    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")) {
            throw new GeneralSecurityException("not PKCS#8: convert with 'openssl pkcs8 -topk8 -nocrypt'");
        }
        Matcher m = PRIVATE_KEY.matcher(pem);
        if (!m.find()) {
            throw new GeneralSecurityException("no PKCS#8 private key block");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1).replace("\\n", ""));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("PKCS#8 key is neither RSA nor EC");
    }

    static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
        List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                .map(X509Certificate.class::cast).toList();
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("no certificate");
        }
        return certs;
    }
}
