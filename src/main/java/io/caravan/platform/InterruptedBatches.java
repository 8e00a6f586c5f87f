package io.caravan.platform;

import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.Ledger;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default's recovery of batches a crashed predecessor left {@code running}: at
 * start-up, once the warehouse is migrated and before any route, job or API call can open a batch,
 * every running batch is marked {@code failed} with {@link #REASON}. Nothing of such a batch was
 * committed (its rows and its completion share one transaction, which died with the process), and
 * its source is still where it was: a file stays in its inbox until its batch commits, so the
 * route ingests it again, once, as a new batch with its own exact ledger row; an API sync runs
 * again at its next schedule. So after a restart no batch stays running.
 *
 * <p><b>Single node.</b> This is correct because the embedded warehouse belongs to one process:
 * {@link EmbeddedWarehouse} serves its data directory only after making sure no other live process
 * does (see {@link OrphanPostgres}), so a batch running at this point cannot belong to anyone
 * alive. With a shared external database (the {@code prod} profile, several nodes) that does not
 * hold: a running batch may be another node's, so this recovery is wired for the embedded default
 * only. A cluster would need the owning node recorded with each batch and only its own (or a dead
 * node's) batches failed.
 *
 * <p>Logs, at INFO, one line per recovered batch (id, route, source file name: no values, no
 * credentials). Not thread-safe; called once at start-up.
 */
final class InterruptedBatches {
    /** The failure reason of a batch its node did not finish. */
    static final String REASON = "interrupted: the node stopped before the batch completed";
    private static final Logger LOG = LoggerFactory.getLogger(InterruptedBatches.class);

    private final Ledger ledger;

    InterruptedBatches(Ledger ledger) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    /** Fails every running batch (see the class contract); returns the batches it failed, oldest first. */
    List<BatchSummary> recover() {
        List<BatchSummary> recovered = ledger.failRunning(REASON);
        for (BatchSummary batch : recovered) {
            LOG.info("Batch {} (route {}, source {}) was still running when the previous run stopped; marked failed"
                    + " as interrupted. Nothing of it was committed; a file still in its inbox is ingested again as a new batch",
                    batch.batchId(), batch.routeId(), batch.source());
        }
        return recovered;
    }
}
