package io.caravan.ledger;

import java.time.Instant;

/**
 * One row of {@code caravan.batch}: a batch's ledger. For a completed batch,
 * {@code rowsIn = rowsDelivered + rowsRejected + rowsConsentFiltered + rowsSuppressed + rowsDuplicate}.
 * {@code error} is a reason without values (null unless failed). {@code replayOf} names the batch
 * this one replays from its kept file ({@code POST /api/batches/{id}/replay}); null otherwise.
 */
public record BatchSummary(
        String batchId, String routeId, String connectorId, String partnerId, String source,
        Instant startedAt, Instant finishedAt, String status,
        long rowsIn, long rowsDelivered, long rowsRejected, long rowsConsentFiltered,
        long rowsSuppressed, long rowsDuplicate, long warnings, String error, String replayOf) {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    /** Held back by the drift and quality gates; nothing of it was delivered. */
    public static final String QUARANTINED = "quarantined";
    /** A quarantined batch an operator released: its file ran again as a new batch. */
    public static final String RELEASED = "released";
    /** A quarantined batch an operator rejected: every row counts rejected, nothing was delivered. */
    public static final String REJECTED = "rejected";

    /** True when the counts add up as the ledger contract requires. */
    public boolean balanced() {
        return rowsIn == rowsDelivered + rowsRejected + rowsConsentFiltered + rowsSuppressed + rowsDuplicate;
    }
}
