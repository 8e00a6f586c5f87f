package io.caravan.deliver;

import io.caravan.ledger.Ledger;
import io.caravan.ledger.BatchSummary;
import io.caravan.pipeline.RecordBatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the body to the {@link WarehouseWriter}, replaces it with the {@link BatchSummary}, sets
 * header {@value Ledger#BATCH_ID_HEADER}, logs one INFO line per batch (counts only) and, when the
 * application has a Micrometer registry, counts rows by outcome ({@code caravan.rows{route,outcome}})
 * and times the batch ({@code caravan.batch.duration{route}}, from start of ingest to commit).
 */
final class WarehouseProducer extends DefaultProducer {
    private static final Logger LOG = LoggerFactory.getLogger(WarehouseProducer.class);

    private final WarehouseEndpoint endpoint;

    WarehouseProducer(WarehouseEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    public void process(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        if (!(body instanceof RecordBatch batch)) {
            throw new IllegalArgumentException("warehouse:" + endpoint.getTable()
                    + " expects a RecordBatch from harmonise; got " + (body == null ? "null" : body.getClass().getName()));
        }
        BatchSummary summary = endpoint.getComponent().writer().write(batch, endpoint.warehouseTable());
        String route = summary.routeId() != null ? summary.routeId()
                : exchange.getFromRouteId() != null ? exchange.getFromRouteId() : "unknown";
        Duration duration = summary.finishedAt() == null ? Duration.ZERO
                : Duration.between(summary.startedAt(), summary.finishedAt());
        LOG.info(line(summary, route, duration));
        record(endpoint.getComponent().meterRegistry(), summary, route, duration);
        exchange.getIn().setHeader(Ledger.BATCH_ID_HEADER, summary.batchId());
        exchange.getIn().setBody(summary);
    }

    /** The one log line of a batch: identifiers and counts, never row content. */
    static String line(BatchSummary s, String route, Duration duration) {
        return String.format(Locale.ROOT, "batch %s route=%s source=%s: %d in, %d delivered, %d rejected, "
                        + "%d consent-filtered, %d suppressed, %d duplicate, %d warnings (%.1f s)",
                s.batchId(), route, s.source(), s.rowsIn(), s.rowsDelivered(), s.rowsRejected(),
                s.rowsConsentFiltered(), s.rowsSuppressed(), s.rowsDuplicate(), s.warnings(),
                duration.toMillis() / 1000.0);
    }

    static void record(MeterRegistry registry, BatchSummary s, String route, Duration duration) {
        if (registry == null) {
            return;
        }
        count(registry, route, "delivered", s.rowsDelivered());
        count(registry, route, "rejected", s.rowsRejected());
        count(registry, route, "consent_filtered", s.rowsConsentFiltered());
        count(registry, route, "suppressed", s.rowsSuppressed());
        count(registry, route, "duplicate", s.rowsDuplicate());
        Timer.builder("caravan.batch.duration").description("Time from the start of a batch to its commit")
                .tag("route", route).register(registry).record(duration);
    }

    private static void count(MeterRegistry registry, String route, String outcome, long rows) {
        Counter.builder("caravan.rows").description("Input rows by outcome")
                .tag("route", route).tag("outcome", outcome).register(registry).increment(rows);
    }
}
