package io.caravan.pseudonymise;

import com.google.crypto.tink.DeterministicAead;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.daead.DeterministicAeadConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Objects;

/**
 * Reversible pseudonyms for the {@code encrypt} action: deterministic authenticated encryption
 * (AES-SIV, RFC 5297, via Tink's {@code AES256_SIV} keyset) with the field name as associated
 * data, so a ciphertext of one field does not decrypt as another. The output is unpadded
 * base64url.
 *
 * <p>Deterministic (same keyset, field and value give the same ciphertext) and thread-safe. The
 * keyset's own key ids let a rotated keyset still decrypt older values. Re-identification
 * ({@link #decrypt}) is for the operator flow, which audits each call. Nothing is logged;
 * exception messages name the field, never a value.
 */
public final class FieldCipher {
    /** Tink's template for the keyset this class uses. */
    static final String TEMPLATE = "AES256_SIV";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    static {
        try {
            DeterministicAeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError("Tink deterministic AEAD is not available");
        }
    }

    private final DeterministicAead aead;

    FieldCipher(KeysetHandle keyset) throws GeneralSecurityException {
        this(keyset.getPrimitive(RegistryConfiguration.get(), DeterministicAead.class));
    }

    /** A cipher over one AES-SIV primitive (tests: RFC 5297 vectors with raw key bytes). */
    FieldCipher(DeterministicAead aead) {
        this.aead = Objects.requireNonNull(aead, "aead");
    }

    /** A new random keyset for this cipher. */
    static KeysetHandle newKeyset() throws GeneralSecurityException {
        return KeysetHandle.generateNew(KeyTemplates.get(TEMPLATE));
    }

    /** Encrypts one field's value; {@code null} for {@code null}. */
    public String encrypt(String field, String value) {
        Objects.requireNonNull(field, "field");
        if (value == null) {
            return null;
        }
        try {
            return ENCODER.encodeToString(seal(value.getBytes(StandardCharsets.UTF_8), field.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not encrypt field " + field);
        }
    }

    /**
     * The AES-SIV step behind {@link #encrypt}: the synthetic IV followed by the ciphertext
     * (RFC 5297 output), of {@code plaintext} under {@code associatedData} (the field name).
     * Package-private so the RFC 5297 vectors test the same code path.
     */
    byte[] seal(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        return aead.encryptDeterministically(plaintext, associatedData);
    }

    /** The inverse of {@link #seal}. */
    byte[] open(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        return aead.decryptDeterministically(ciphertext, associatedData);
    }

    /** Decrypts what {@link #encrypt} made for the same field. Callers audit re-identification. */
    public String decrypt(String field, String ciphertext) {
        Objects.requireNonNull(field, "field");
        if (ciphertext == null) {
            return null;
        }
        try {
            return new String(aead.decryptDeterministically(DECODER.decode(ciphertext),
                    field.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("ciphertext of field " + field + " does not decrypt with this keyset");
        }
    }

    @Override
    public String toString() {
        return "FieldCipher[" + TEMPLATE + "]";
    }
}
