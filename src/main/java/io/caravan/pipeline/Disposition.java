package io.caravan.pipeline;

/**
 * Where an input row ends up. Every row of a batch ends in exactly one of these; the ledger's
 * counters are the number of rows in each (a {@link #PENDING} row that reaches the writer becomes
 * delivered or duplicate there).
 */
public enum Disposition {
    /** Still flowing through the pipeline. */
    PENDING,
    /** Broke a rule of its connector; the row's {@link Row#issues()} say which field and rule. */
    REJECTED,
    /** Its subject has no valid consent for the route's purpose. */
    CONSENT_FILTERED,
    /** Its subject is on the erasure suppression list. */
    SUPPRESSED
}
