package io.caravan.pseudonymise;

import io.caravan.error.ConfigException;

/**
 * A key the configuration must provide is missing or unusable: a {@link ConfigException} with code
 * {@link ConfigException.Code#MISSING_KEY}. The message names the key domain, key id or property
 * to set; it never contains key material. Thrown at start-up so that the platform refuses to start
 * rather than run without a key.
 */
public final class MissingKeyException extends ConfigException {
    private static final long serialVersionUID = 1L;

    public MissingKeyException(String message) {
        super(Code.MISSING_KEY, message);
    }
}
