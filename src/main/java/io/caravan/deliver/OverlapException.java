package io.caravan.deliver;

import io.caravan.error.SafeMessage;

/**
 * An overlap query that cannot be answered: bad input (naming the field), an unknown audience, or a
 * refusal (privacy budget spent, audience made under a retired key). The message names fields,
 * audience ids and amounts of epsilon, never an identifier or a hash.
 */
public class OverlapException extends RuntimeException implements SafeMessage {
    /** What kind of problem, for the API's status code. */
    public enum Kind { INVALID, UNKNOWN, REFUSED }

    private final Kind kind;
    private final String field;

    OverlapException(Kind kind, String message, String field) {
        super(message);
        this.kind = kind;
        this.field = field;
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }
}
