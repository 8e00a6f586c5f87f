package io.caravan.pseudonymise;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The identity vault's seal: the normalised identifiers behind a row's warehouse tokens, sealed
 * with deterministic authenticated encryption (AES-SIV, RFC 5297, through {@link FieldCipher})
 * under a keyset of their own, so that the re-key job can recompute every token under a newly
 * activated HMAC key and the old key can then be destroyed (an HMAC cannot be recomputed from the
 * token alone).
 *
 * <p>A seal maps token columns to the normalised values their tokens were made of, e.g.
 * {@code email_token → "anna@example.de"}. The map is encoded in a fixed order (sorted by column)
 * before sealing, so the same identifiers always give the same seal and a re-delivered row stays
 * equal to the stored one. The associated data names this purpose, so a seal does not decrypt as
 * an {@code encrypt}-action field and vice versa even if the keysets were mixed up.
 *
 * <p>Only the re-key job and erasure (which needs the subject's other identifiers for the
 * suppression list) {@linkplain #open open} seals; neither logs or answers the values. Exception
 * messages never carry a value. Immutable and thread-safe.
 */
public final class IdentitySeal {
    /** The column of the record tables that holds a row's seal. */
    public static final String COLUMN = "sealed_identifiers";
    /**
     * The key under which a seal holds the subject's identifier (the value behind
     * {@code subject_token}); consent events seal only this one.
     */
    public static final String SUBJECT = "subject_token";
    /** The associated data of every seal. */
    static final String CONTEXT = "caravan.identity-vault.v1";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final FieldCipher cipher;

    IdentitySeal(FieldCipher cipher) {
        this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    /**
     * Seals token column → normalised value ({@code null} values are left out); {@code null} when
     * nothing is left.
     */
    public String seal(Map<String, String> values) {
        Map<String, String> sorted = new TreeMap<>();
        values.forEach((column, value) -> {
            if (value != null) {
                sorted.put(Objects.requireNonNull(column, "column"), value);
            }
        });
        if (sorted.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * sorted.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeByte(sorted.size());
            for (Map.Entry<String, String> entry : sorted.entrySet()) {
                out.writeUTF(entry.getKey());
                out.writeUTF(entry.getValue());
            }
        } catch (UTFDataFormatException e) {
            throw new IllegalArgumentException("an identifier is too long to seal");
        } catch (IOException e) {
            throw new IllegalStateException("could not encode identifiers", e);
        }
        if (sorted.size() > 255) {
            throw new IllegalArgumentException("too many identifiers to seal");
        }
        try {
            return ENCODER.encodeToString(cipher.seal(bytes.toByteArray(), CONTEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("could not seal identifiers");
        }
    }

    /**
     * Opens a seal made by {@link #seal} with this keyset: token column → normalised value.
     *
     * @throws IllegalArgumentException when it does not open (another keyset, altered, not a seal);
     *         the message carries no part of it
     */
    public Map<String, String> open(String sealed) {
        Objects.requireNonNull(sealed, "sealed");
        byte[] plain;
        try {
            plain = cipher.open(DECODER.decode(sealed), CONTEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("sealed identifiers do not open with the vault keyset");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain))) {
            if (in.readByte() != 1) {
                throw new IllegalArgumentException("sealed identifiers have an unknown version");
            }
            int count = in.readUnsignedByte();
            Map<String, String> out = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                out.put(in.readUTF(), in.readUTF());
            }
            return Collections.unmodifiableMap(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("sealed identifiers are malformed");
        }
    }

    @Override
    public String toString() {
        return "IdentitySeal[" + FieldCipher.TEMPLATE + "]";
    }
}
