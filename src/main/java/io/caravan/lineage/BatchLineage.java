package io.caravan.lineage;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.consent.Purpose;
import io.caravan.consent.PurposeRegistry;
import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.Ledger;
import io.caravan.pipeline.BatchContext;
import io.caravan.pseudonymise.Policy;
import io.caravan.pseudonymise.PolicyRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lineage of ingest: a ledger listener that emits START when a batch opens and COMPLETE or FAIL
 * when it finishes (after its commit), and ABORT for batches still open when Caravan stops. A
 * failed batch whose reason says it was interrupted ends with ABORT.
 *
 * <p>Runs on the batch's own thread and only builds the event and queues it ({@link LineageEmitter}):
 * never a network call, never an exception into the pipeline. Thread-safe.
 */
final class BatchLineage implements Ledger.BatchListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchLineage.class);

    private final Ledger ledger;
    private final BatchEvents events;
    private final LineageEmitter emitter;
    private final CamelRoutes routes;
    private final SourceDatasets sources;
    private final ConnectorRegistry connectors;
    private final PolicyRegistry policies;
    private final PurposeRegistry purposes;
    private final Map<String, BatchContext> open = new ConcurrentHashMap<>();

    BatchLineage(Ledger ledger, BatchEvents events, LineageEmitter emitter, CamelRoutes routes, SourceDatasets sources,
                 ConnectorRegistry connectors, PolicyRegistry policies, PurposeRegistry purposes) {
        this.ledger = ledger;
        this.events = events;
        this.emitter = emitter;
        this.routes = routes;
        this.sources = sources;
        this.connectors = connectors;
        this.policies = policies;
        this.purposes = purposes;
        ledger.addListener(this);
    }

    @Override
    public void opened(BatchContext batch) {
        try {
            open.put(batch.batchId(), batch);
            emitter.emit(events.start(describe(batch, null)));
        } catch (RuntimeException e) {
            LOG.warn("lineage: no START event for batch {} ({})", batch.batchId(), e.getClass().getSimpleName());
        }
    }

    @Override
    public void finished(BatchSummary summary) {
        BatchContext batch = open.remove(summary.batchId());
        try {
            if (batch == null) {
                batch = new BatchContext(summary.batchId(), summary.routeId(), summary.connectorId(), summary.partnerId(),
                        connectors.find(summary.connectorId()).map(ConnectorDescriptor::dataClass).orElse(null),
                        summary.source(), summary.startedAt());
            }
            boolean interrupted = BatchSummary.FAILED.equals(summary.status()) && summary.error() != null
                    && summary.error().startsWith("interrupted");
            emitter.emit(events.end(describe(batch, summary), interrupted));
        } catch (RuntimeException e) {
            LOG.warn("lineage: no end event for batch {} ({})", summary.batchId(), e.getClass().getSimpleName());
        }
    }

    private BatchEvents.Batch describe(BatchContext batch, BatchSummary summary) {
        RouteInfo route = routes.find(batch.routeId())
                .orElseGet(() -> new RouteInfo(batch.routeId() == null ? "connector/" + batch.connectorId() : batch.routeId(),
                        null, null, null, null, null));
        ConnectorDescriptor connector = connectors.find(batch.connectorId()).orElse(null);
        String policyId = batch.policyId() != null ? batch.policyId() : route.stepTarget("pseudonymise");
        Policy policy = policyId == null ? null : policies.find(policyId).orElse(null);
        String purposeId = batch.purpose() != null ? batch.purpose() : route.stepTarget("consent");
        Purpose purpose = purposeId == null ? null : purposes.find(purposeId).orElse(null);
        boolean fetches = route.stepTarget("fetch") != null;
        String outputTable = connector != null ? connector.table().tableName()
                : batch.connectorId().startsWith("consent-feed:") ? "consent_event"
                : route.stepTarget("warehouse");
        return new BatchEvents.Batch(batch.batchId(), batch.connectorId(), batch.partnerId(), batch.dataClass(),
                batch.startedAt(), route, sources.of(route, connector, fetches), connector, policy, purpose,
                batch.keyId(), summary, outputTable);
    }

    /** Ends every batch still open with ABORT (Caravan is stopping before they finished). */
    @Override
    public void close() {
        ledger.removeListener(this);
        for (BatchContext batch : open.values()) {
            BatchSummary aborted = new BatchSummary(batch.batchId(), batch.routeId(), batch.connectorId(), batch.partnerId(),
                    batch.source(), batch.startedAt(), Instant.now(), BatchSummary.FAILED, 0, 0, 0, 0, 0, 0, 0,
                    "aborted: Caravan stopped before the batch finished", null);
            try {
                emitter.emit(events.end(describe(batch, aborted), true));
            } catch (RuntimeException e) {
                LOG.debug("lineage: no ABORT for batch {}", batch.batchId());
            }
        }
        open.clear();
    }

    Optional<BatchContext> openBatch(String batchId) {
        return Optional.ofNullable(open.get(batchId));
    }
}
