package io.caravan.pipeline;

import java.util.Objects;

/**
 * A problem with one field of one row: the field (a source column or canonical field name) and
 * the rule it broke. By construction it never holds the field's value, so it is safe to log, to
 * store in the ledger and to send to partners in acknowledgements.
 *
 * @param field  the field name, never null
 * @param reason the rule that was broken, e.g. {@code "invalid VIN check digit"}; never a value
 * @param fatal  true for a rejection, false for a warning (field nulled, row kept)
 */
public record Issue(String field, String reason, boolean fatal) {
    public Issue {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
    }

    public static Issue rejection(String field, String reason) {
        return new Issue(field, reason, true);
    }

    public static Issue warning(String field, String reason) {
        return new Issue(field, reason, false);
    }
}
