package io.caravan.pseudonymise;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * Envelope encryption of kept partner files: every file gets a data key of its own (a fresh Tink
 * {@value #DATA_TEMPLATE} streaming-AEAD keyset, segment by segment, so memory stays flat for any
 * file size), and that keyset is kept only wrapped by the archive master key (a Tink
 * {@value #MASTER_TEMPLATE} keyset of key domain {@code archive}). Destroying the wrapped data key
 * makes the file unreadable for good (crypto-shredding) without touching the master key.
 *
 * <p>Associated data binds a ciphertext and its wrapped key to one archive entry: a file or key
 * of another entry, a truncated file or an altered byte is refused by authentication. Thread-safe;
 * logs nothing; exception messages never hold key material or content.
 */
public final class ArchiveCipher {
    /** Tink's template of the master key that wraps data keys. */
    static final String MASTER_TEMPLATE = "AES256_GCM";
    /** Tink's template of each file's data key. */
    static final String DATA_TEMPLATE = "AES256_GCM_HKDF_1MB";

    static {
        try {
            AeadConfig.register();
            StreamingAeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError("Tink AEAD and streaming AEAD are not available");
        }
    }

    private final Aead master;

    ArchiveCipher(KeysetHandle masterKeyset) throws GeneralSecurityException {
        this.master = masterKeyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
    }

    /** A new random master keyset. */
    static KeysetHandle newMasterKeyset() throws GeneralSecurityException {
        return KeysetHandle.generateNew(KeyTemplates.get(MASTER_TEMPLATE));
    }

    /**
     * Encrypts {@code plain} to {@code sealed} under a fresh data key and answers that key wrapped
     * by the master key. Streams: memory use does not depend on the size of the input. Neither
     * stream is closed.
     */
    public byte[] seal(InputStream plain, OutputStream sealed, byte[] associatedData) throws IOException {
        Objects.requireNonNull(associatedData, "associatedData");
        try {
            KeysetHandle dataKey = KeysetHandle.generateNew(KeyTemplates.get(DATA_TEMPLATE));
            StreamingAead streaming = dataKey.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
            try (OutputStream encrypting = streaming.newEncryptingStream(new NonClosing(sealed), associatedData)) {
                plain.transferTo(encrypting);
            }
            return TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, master, associatedData);
        } catch (GeneralSecurityException e) {
            throw new IOException("could not create an archive data key (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * A stream of the plain content of what {@link #seal} wrote with the same associated data.
     * A wrapped key that the master key does not open refuses at once; a truncated or altered
     * ciphertext makes reading fail with an {@link IOException} at the first segment that does
     * not authenticate (so a reader sees no unauthenticated byte of that segment).
     */
    public InputStream open(InputStream sealed, byte[] wrappedKey, byte[] associatedData) throws IOException {
        Objects.requireNonNull(wrappedKey, "wrappedKey");
        KeysetHandle dataKey;
        try {
            dataKey = TinkProtoKeysetFormat.parseEncryptedKeyset(wrappedKey, master, associatedData);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("the archive data key does not open with the archive master key");
        }
        try {
            return dataKey.getPrimitive(RegistryConfiguration.get(), StreamingAead.class)
                    .newDecryptingStream(sealed, associatedData);
        } catch (GeneralSecurityException e) {
            throw new IOException("the archive data key is not a streaming AEAD key");
        }
    }

    @Override
    public String toString() {
        return "ArchiveCipher[" + DATA_TEMPLATE + " wrapped by " + MASTER_TEMPLATE + "]";
    }

    /** Lets the encrypting stream write its final segment without closing the caller's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
