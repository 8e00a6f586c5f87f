package io.caravan.pseudonymise;

/**
 * A key the configuration must provide is missing or unusable. The message names the key domain,
 * key id or property to set; it never contains key material. Thrown at start-up so that the
 * platform refuses to start rather than run without a key.
 */
public final class MissingKeyException extends IllegalStateException {
    public MissingKeyException(String message) {
        super(message);
    }
}
