package io.caravan.pseudonymise;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The pseudonymisation keys: per key domain ({@value #WAREHOUSE}, or a partner id) one active
 * HMAC key that makes new tokens and any number of retired keys that stay readable by id, plus
 * one AES-SIV keyset for the {@code encrypt} action.
 *
 * <p>Contract for implementations: thread-safe; keys are 32 random bytes; key material never
 * appears in a log line, exception message or {@code toString}; a missing key raises
 * {@link MissingKeyException} naming the domain or property, never a value. The embedded default
 * ({@link GeneratedKeyRing}) creates keys on demand; any other profile ({@link ConfiguredKeyRing})
 * only has the keys its configuration names.
 */
public interface KeyRing {
    /** The warehouse key domain: record tables' tokens and consent events use it. */
    String WAREHOUSE = "warehouse";

    /**
     * The suppression list's key domain. Erased subjects' tokens are kept under a key of their own,
     * not the warehouse key, so that rotating the warehouse key (and destroying the old one after
     * the re-key job) never needs an erased subject's identifier: the suppression list holds
     * nothing reversible.
     */
    String SUPPRESSION = "suppression";

    /**
     * The data products' key domain (#16): tokens published on Kafka are made under it, never under
     * the warehouse key, so consumers cannot join them to the warehouse.
     */
    String DATA_PRODUCTS = "data-products";

    /**
     * The archive's key domain: the master key that wraps the data key of each kept partner file
     * (see {@link ArchiveCipher}). A Tink keyset, not an HMAC key.
     */
    String ARCHIVE = "archive";

    /** Key domains and key ids: lower-case letters, digits, {@code -} and {@code _}. */
    Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    /**
     * The tokeniser of the domain's active key.
     *
     * @throws MissingKeyException when the domain has no active key and the ring cannot create one
     */
    Tokeniser tokeniser(String domain);

    /** Every readable key of a domain, the active one first, then retired ones, newest first. */
    List<Tokeniser> readable(String domain);

    /** A key by id, active or retired. */
    Optional<Tokeniser> byKeyId(String keyId);

    /** Metadata of every key (never material), by domain then newest first. */
    List<KeyInfo> keys();

    /**
     * Activates a new key for a domain; the previous active key becomes retired and stays
     * readable. New tokens use the new key from the next batch on.
     *
     * @throws UnsupportedOperationException where keys come from configuration (the operator
     *         configures a new active key instead)
     */
    KeyInfo rotate(String domain);

    /**
     * Destroys a retired key: its material is deleted and tokens it made can no longer be
     * recomputed or matched. The caller makes sure no stored row still names it (see the re-key
     * job); the active key of a domain cannot be destroyed.
     *
     * @throws IllegalArgumentException when no such key exists
     * @throws IllegalStateException when it is the active key of its domain
     * @throws UnsupportedOperationException where keys come from configuration (the operator
     *         removes it from the configuration instead)
     */
    default void destroy(String keyId) {
        throw new UnsupportedOperationException("keys come from configuration: remove key " + keyId
                + " from caravan.keys.* and restart");
    }

    /**
     * The deterministic AEAD (AES-SIV) for the {@code encrypt} action.
     *
     * @throws MissingKeyException when no encryption keyset is available
     */
    FieldCipher cipher();

    /**
     * The identity vault's seal (AES-SIV with a keyset of its own, not the {@link #cipher()}
     * keyset): seals the normalised identifiers behind a row's warehouse tokens so that the re-key
     * job can recompute them under a new key.
     *
     * @throws MissingKeyException when no vault keyset is available
     */
    IdentitySeal identitySeal();

    /**
     * The archive master key (key domain {@code archive}, a Tink AES256_GCM keyset of its own)
     * and the envelope encryption of kept partner files under it.
     *
     * @throws MissingKeyException when no archive keyset is available
     */
    ArchiveCipher archiveCipher();

    static String requireName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must match " + NAME.pattern());
        }
        return value;
    }
}
