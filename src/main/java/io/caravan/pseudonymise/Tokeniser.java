package io.caravan.pseudonymise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes the privacy contract's tokens with one key:
 * {@code token = lowercase hex(HMAC-SHA256(key, UTF-8 bytes of the normalised value))}, 64
 * characters, made by the key named {@link #keyId()} of key domain {@link #domain()}.
 *
 * <p>Deterministic: the same key and value always give the same token. Thread-safe: each thread
 * reuses its own initialised {@link Mac}. The caller normalises the value first (see
 * {@link Identifiers}); a {@code null} value gives a {@code null} token. Nothing is logged, and
 * {@link #toString()} names the key id only, never the key.
 */
public final class Tokeniser {
    private static final String ALGORITHM = "HmacSHA256";
    private static final HexFormat HEX = HexFormat.of();

    private final String keyId;
    private final String domain;
    private final ThreadLocal<Mac> macs;

    /** A tokeniser for a key of a key ring; {@code material} is copied, never kept by reference. */
    Tokeniser(String keyId, String domain, byte[] material) {
        this.keyId = Objects.requireNonNull(keyId, "keyId");
        this.domain = Objects.requireNonNull(domain, "domain");
        SecretKeySpec key = new SecretKeySpec(material, ALGORITHM);
        this.macs = ThreadLocal.withInitial(() -> newMac(key));
        newMac(key); // fail now, not on first use, if the platform lacks HMAC-SHA256
    }

    /** A tokeniser for raw key bytes (tests: RFC 4231 vectors). */
    Tokeniser(byte[] material) {
        this("raw", "raw", material);
    }

    /** The id of the key that makes this tokeniser's tokens (e.g. {@code warehouse-20261123-1a2b}). */
    public String keyId() {
        return keyId;
    }

    /** The key domain ({@code warehouse} or a partner id). */
    public String domain() {
        return domain;
    }

    /** The token of an already normalised value; {@code null} for {@code null}. */
    public String token(String normalisedValue) {
        if (normalisedValue == null) {
            return null;
        }
        return token(normalisedValue.getBytes(StandardCharsets.UTF_8));
    }

    /** Lowercase hex HMAC-SHA256 of raw bytes: the code path behind {@link #token(String)}. */
    String token(byte[] data) {
        return HEX.formatHex(macs.get().doFinal(data));
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            // the message of these exceptions names the algorithm, never key material
            throw new IllegalStateException("HMAC-SHA256 is not available: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "Tokeniser[" + keyId + "]";
    }
}
