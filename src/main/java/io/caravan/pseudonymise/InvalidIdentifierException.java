package io.caravan.pseudonymise;

import io.caravan.error.SafeMessage;

/**
 * An identifier that does not normalise (malformed e-mail, unparseable phone, bad VIN). The
 * message is the rule that was broken; it never contains the value.
 */
public final class InvalidIdentifierException extends Exception implements SafeMessage {
    public InvalidIdentifierException(String rule) {
        super(rule, null, false, false);
    }

    /** The rule that was broken, e.g. {@code "invalid VIN check digit"}. */
    public String rule() {
        return getMessage();
    }
}
