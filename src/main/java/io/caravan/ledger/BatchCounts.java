package io.caravan.ledger;

/**
 * The counters of a finished batch, as the writer computed them. {@link #rowsIn()} is derived, so
 * the ledger's balance rule ({@code rows_in = delivered + rejected + consent_filtered + suppressed
 * + duplicate}) holds by construction.
 *
 * @param warnings number of warning issues (field nulled, row kept) across all rows
 */
public record BatchCounts(long delivered, long rejected, long consentFiltered, long suppressed,
                          long duplicate, long warnings) {

    public BatchCounts {
        if (delivered < 0 || rejected < 0 || consentFiltered < 0 || suppressed < 0 || duplicate < 0
                || warnings < 0) {
            throw new IllegalArgumentException("batch counters cannot be negative");
        }
    }

    public long rowsIn() {
        return delivered + rejected + consentFiltered + suppressed + duplicate;
    }
}
