package io.caravan.pseudonymise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs outgoing messages (webhook bodies) with HMAC-SHA256 under a shared secret, so a receiver
 * holding the same secret can check who sent them and that they were not altered. The secret is
 * held here only; {@link #toString()} never shows it. Immutable and thread-safe.
 */
public final class MessageSigner {
    /** Shorter secrets are refused: at least 128 bits of a random string. */
    public static final int MIN_SECRET_BYTES = 16;

    private final SecretKeySpec key;

    private MessageSigner(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /**
     * A signer for the UTF-8 bytes of {@code secret}.
     *
     * @throws IllegalArgumentException when the secret is shorter than {@value #MIN_SECRET_BYTES} bytes (the message names no value)
     */
    public static MessageSigner of(String secret) {
        byte[] bytes = Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("a signing secret needs at least " + MIN_SECRET_BYTES + " bytes");
        }
        return new MessageSigner(bytes);
    }

    /** Lowercase hex of HMAC-SHA256(secret, UTF-8 bytes of {@code message}). */
    public String sign(String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "MessageSigner[HmacSHA256]";
    }
}
