package io.caravan.ledger;

import io.caravan.pipeline.BatchContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The ledger of batches ({@code caravan.batch}, {@code caravan.rejection},
 * {@code caravan.batch_warning}): opened when a batch starts, completed by the writer in the same
 * transaction as the batch's rows, or failed with a reason that names no value.
 *
 * <p>The ledger owns a batch: it {@linkplain #newBatchId mints its id}, names the exchange header
 * that carries the id along a route ({@value #BATCH_ID_HEADER}), and offers the writers (the
 * warehouse writer, the consent feed, the partner poll errors) the statements that record a
 * batch's outcome. The three statements that take a {@link Connection} run <em>inside the
 * caller's transaction</em>, so that a batch's rows and its ledger row commit together; the
 * caller then calls {@link #notifyFinished} after its commit.
 *
 * <p>Implementations are thread-safe. Nothing here logs row content.
 */
public interface Ledger {

    /** The Camel header that carries a batch's id along its route (routes name it in {@code move:}). */
    String BATCH_ID_HEADER = "CaravanBatchId";

    /**
     * A new, unique batch id for a batch started at {@code startedAt}:
     * {@code b-<yyyyMMdd-HHmmss, UTC>-<8 random hex digits>}, e.g. {@code b-20261123-101502-3f9a1c2b}.
     */
    static String newBatchId(Instant startedAt) {
        return BatchIds.mint(startedAt);
    }

    /** Records a new batch as {@code running} (committed at once, so operators see it). */
    void open(BatchContext batch);

    /**
     * Marks a running batch {@code failed} with a reason (a sentence naming file, row or field,
     * never a value). The first failure recorded wins; a batch that is already completed or failed
     * stays as it is, and listeners are told once.
     */
    void fail(String batchId, String reason);

    /**
     * Like {@link #fail(String, String)}, but records the batch if it was never opened (a writer
     * used without harmonise, a poll that failed before any batch), so that a failure is never
     * lost. A completed batch stays completed.
     */
    void fail(BatchContext batch, String reason);

    /**
     * Marks every {@code running} batch {@code failed} with {@code reason} (finished now), in one
     * autocommit statement, and returns them oldest first. For a start-up recovery only, before
     * any route or job runs, on a ledger that no other live process writes to: the caller vouches
     * that each running batch was left by a process that died before finishing it (so its rows,
     * written in one transaction with its completion, were never committed). Listeners are not
     * told: the batch ends without a consumer waiting for it, and its source is ingested again as
     * a new batch. Logs nothing; the caller reports what it recovered.
     */
    List<BatchSummary> failRunning(String reason);

    /**
     * Inside the caller's transaction: records the batch as {@code running} if it was never
     * opened, and locks its row until the transaction ends.
     *
     * @throws BatchNotRunningException if the batch is already completed or failed
     */
    void ensureRunning(Connection connection, BatchContext batch) throws SQLException;

    /**
     * Inside the caller's transaction: stores rejections and warnings. Their batch id must be one
     * made {@link #ensureRunning running} in the same transaction.
     */
    void appendIssues(Connection connection, List<Rejection> rejections, List<Rejection> warnings)
            throws SQLException;

    /**
     * Inside the caller's transaction: marks a {@link #ensureRunning running} batch completed with
     * its counters, target table and named extra counters (from {@link BatchContext#counters()}).
     * Listeners are not told: call {@link #notifyFinished} after the commit.
     */
    BatchSummary complete(Connection connection, BatchContext batch, BatchCounts counts, String targetTable,
                          Instant finishedAt) throws SQLException;

    /** Tells the listeners that a batch finished (after the transaction that finished it committed). */
    void notifyFinished(BatchSummary summary);

    /**
     * Marks a running batch {@code quarantined} by the drift and quality gates (finished now, with
     * {@code rowsIn} measured and nothing delivered), stores its reasons, and tells the listeners.
     * A batch that is not running stays as it is.
     *
     * @return the batch as quarantined, or empty when it was not running
     */
    Optional<BatchSummary> quarantine(BatchContext batch, long rowsIn, List<QuarantineReason> reasons);

    /** The quarantine of a batch (reasons, state, decision), if it was ever quarantined. */
    Optional<Quarantine> quarantineOf(String batchId);

    /**
     * A release begins: a {@code held} quarantine becomes {@code releasing} (decided by {@code actor}),
     * so that the next batch its route opens on the same source name runs ungated
     * ({@link #claimRelease}). A release still {@code releasing} may begin again (its file never
     * reached the route, e.g. after a crash); the caller makes sure no copy is waiting in the inbox.
     * False when the batch is neither held nor releasing.
     */
    boolean startRelease(String batchId, String actor);

    /** A release that could not hand the file back: {@code releasing} becomes {@code held} again. */
    void abortRelease(String batchId);

    /**
     * For a batch just opened: when a quarantined batch of the same route and source is
     * {@code releasing}, it becomes {@code released} (batch status too) with {@code released_as}
     * naming {@code batch}, and its id is answered; else empty. Atomic: one release is claimed once.
     */
    Optional<String> claimRelease(BatchContext batch);

    /**
     * An operator rejects a {@code held} quarantined batch: status {@code rejected}, every measured row
     * counted rejected, the reason kept, the listeners told. Empty when the batch is not held.
     */
    Optional<BatchSummary> rejectQuarantined(String batchId, String actor, String reason);

    Optional<BatchSummary> find(String batchId);

    /** Recent batches, newest first; a null filter matches everything. */
    List<BatchSummary> recent(String routeId, String partnerId, String status, int limit);

    /** The newest batch of a route, if any. */
    Optional<BatchSummary> lastOf(String routeId);

    /** A batch's rejections in row order, at most {@code limit}. */
    List<Rejection> rejections(String batchId, int limit);

    /** A batch's warnings (field nulled, row kept) in row order, at most {@code limit}. */
    List<Rejection> warnings(String batchId, int limit);

    /**
     * The source columns that the batch's descriptor does not map (dropped from every row), in
     * name order, at most {@link BatchContext#MAX_REPORTED_COLUMNS}; names only, never a value.
     * Empty for an unknown batch or one without such columns. Stored by {@link #complete} and by
     * {@link #fail(BatchContext, String)}.
     */
    List<String> unmappedColumns(String batchId);

    /** Registers a listener told of every batch opened from now on (used by "run now"). */
    void addListener(BatchListener listener);

    void removeListener(BatchListener listener);

    /** Told when a batch is opened or finished. Called on the batch's own thread; must be quick. */
    interface BatchListener {
        void opened(BatchContext batch);

        default void finished(BatchSummary summary) {
        }
    }
}
