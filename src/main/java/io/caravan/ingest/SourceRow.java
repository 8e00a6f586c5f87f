package io.caravan.ingest;

import java.util.Collection;

/**
 * One record as a reader found it in a partner source, before harmonising: raw text values by
 * source column (a CSV header name, or a dotted path in structured sources such as
 * {@code customer.contact.email}).
 *
 * <p>Implementations are immutable views, read by one thread. {@link #toString()} must not print values.
 */
public interface SourceRow {

    /** 1-based number of the data row (or record) in its source, used in the ledger. */
    long number();

    /** The raw value of a column, or null when the row has no such column or it is empty. */
    String get(String column);

    /** Every column this row has, for the report of unmapped columns. */
    Collection<String> columns();

    /**
     * A problem that makes the whole row unusable (ragged row, malformed record), with the field
     * and rule but never the value; null when the row was read cleanly.
     */
    default io.caravan.pipeline.Issue problem() {
        return null;
    }

    /**
     * What the reader repaired to keep this row (a malformed declaration, a stray {@code &}, a derived id),
     * each a warning with the field and rule, never a value; empty when nothing was repaired.
     */
    default java.util.List<io.caravan.pipeline.Issue> warnings() {
        return java.util.List.of();
    }

    /**
     * True when the reader kept this row knowing that {@code column} is absent (an ADF lead kept without a
     * vehicle, already warned about): a required field from it is then not a reason to reject the row.
     */
    default boolean absentByDesign(String column) {
        return false;
    }

    /**
     * True when the reader derived this row's natural key from non-personal values because the source sent none;
     * the subject's token is then added to the record key after pseudonymisation.
     */
    default boolean derivedKey() {
        return false;
    }
}
