package io.caravan.ledger;

import io.caravan.pipeline.BatchContext;
import java.util.List;
import java.util.Optional;

/**
 * The ledger of batches ({@code caravan.batch}, {@code caravan.rejection},
 * {@code caravan.batch_warning}): opened when a batch starts, completed by the writer in the same
 * transaction as the batch's rows, or failed with a reason that names no value.
 *
 * <p>Implementations are thread-safe. Nothing here logs row content.
 */
public interface Ledger {

    /** Records a new batch as {@code running} (committed at once, so operators see it). */
    void open(BatchContext batch);

    /**
     * Marks a running batch {@code failed} with a reason (a sentence naming file, row or field,
     * never a value). The first failure recorded wins; a batch that is already completed or failed
     * stays as it is, and listeners are told once.
     */
    void fail(String batchId, String reason);

    Optional<BatchSummary> find(String batchId);

    /** Recent batches, newest first; a null filter matches everything. */
    List<BatchSummary> recent(String routeId, String partnerId, String status, int limit);

    /** The newest batch of a route, if any. */
    Optional<BatchSummary> lastOf(String routeId);

    /** A batch's rejections in row order, at most {@code limit}. */
    List<Rejection> rejections(String batchId, int limit);

    /** A batch's warnings (field nulled, row kept) in row order, at most {@code limit}. */
    List<Rejection> warnings(String batchId, int limit);

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
