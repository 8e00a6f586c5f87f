package io.caravan.pseudonymise;

import java.util.Objects;

/**
 * A partner's tokens, derived from the warehouse's tokens (the warehouse never holds the raw
 * identifiers): {@code partner token = lowercase hex(HMAC-SHA256(partner-domain key, UTF-8 bytes
 * of the warehouse token))}, with the active key of the policy's key domain (the partner). Two
 * partners' tokens for one person differ and cannot be joined with each other or with the
 * warehouse without the keys; one partner's tokens are stable across its exports, so it can join
 * its own deliveries.
 *
 * <p>Immutable and thread-safe; holds a {@link Tokeniser}, never key material itself.
 */
public final class PartnerTokens {
    /** How the tokens are derived, as an export's manifest states it. */
    public static final String DERIVATION = "HMAC-SHA256(partner key, warehouse token)";

    private final Tokeniser key;

    private PartnerTokens(Tokeniser key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    /**
     * The tokens of the partner whose key domain {@code policy} names, with its active key.
     *
     * @throws MissingKeyException when the domain has no active key and the ring cannot create one
     */
    public static PartnerTokens of(KeyRing keys, Policy policy) {
        return new PartnerTokens(keys.tokeniser(policy.keyDomain()));
    }

    /** Whether an exported column holds warehouse tokens that are re-tokenised for the partner ({@code *_token}). */
    public static boolean isTokenColumn(String column) {
        return column.endsWith("_token");
    }

    /** The id of the key that makes these tokens (named in the manifest and the export row). */
    public String keyId() {
        return key.keyId();
    }

    /** The partner's token for one warehouse token. */
    public String token(String warehouseToken) {
        return key.token(warehouseToken);
    }
}
