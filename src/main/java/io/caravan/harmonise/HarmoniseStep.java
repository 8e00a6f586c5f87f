package io.caravan.harmonise;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.error.FailureReasons;
import io.caravan.error.DataException;
import io.caravan.ingest.RecordReader;
import io.caravan.ingest.RecordReaderFactory;
import io.caravan.ledger.Ledger;
import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import io.caravan.ingest.PageSource;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Opens a batch: records it in the ledger as running, opens the connector's reader on the source
 * and returns a lazy {@link RecordBatch} of harmonised rows. Nothing is read until a later step
 * drains the batch, so any source size flows through in constant memory.
 *
 * <p>Thread-safe; each batch is used by one thread.
 */
@Component
class HarmoniseStep {

    private final ConnectorRegistry connectors;
    private final Map<String, RecordReaderFactory> readers;
    private final Ledger ledger;
    private final Clock clock;
    private final BatchGate gate;
    private final Map<String, Harmoniser> harmonisers = new ConcurrentHashMap<>();

    @Autowired
    HarmoniseStep(ConnectorRegistry connectors, List<RecordReaderFactory> readers, Ledger ledger,
                  ObjectProvider<BatchGate> gate) {
        this(connectors, readers, ledger, Clock.systemUTC(), gate.getIfAvailable());
    }

    public HarmoniseStep(ConnectorRegistry connectors, List<RecordReaderFactory> readers, Ledger ledger, Clock clock) {
        this(connectors, readers, ledger, clock, null);
    }

    /** @param gate checks each file before it runs; null runs every file unchecked */
    public HarmoniseStep(ConnectorRegistry connectors, List<RecordReaderFactory> readers, Ledger ledger, Clock clock,
                         BatchGate gate) {
        this.connectors = connectors;
        this.readers = readers.stream().collect(Collectors.toMap(RecordReaderFactory::formatType, r -> r));
        this.ledger = ledger;
        this.clock = clock;
        this.gate = gate;
    }

    /** An opened batch, or (batch null) a file the gates quarantined: nothing of it is to be delivered. */
    record Opened(BatchContext context, RecordBatch batch) {
        boolean quarantined() {
            return batch == null;
        }
    }

    Ledger ledger() {
        return ledger;
    }

    /** Fails fast (at route start-up) when a route names a connector that does not exist. */
    public ConnectorDescriptor connector(String connectorId) {
        return connectors.get(connectorId);
    }

    /**
     * Opens a batch of {@code in} for a connector. The batch is in the ledger (running) before
     * anything is read; a source refused outright fails it with the reason and rethrows.
     *
     * @param length the source's size in bytes when known (checked against the connector's limit), else null
     */
    public RecordBatch open(String connectorId, String routeId, String source, InputStream in, Long length) {
        return open(connectorId, routeId, source, in, length, null).batch();
    }

    /**
     * Like {@link #open(String, String, String, InputStream, Long)}, for a source that can be read
     * again ({@code reread} opens it anew, e.g. a consumed file): the {@link BatchGate} first reads it
     * whole in a {@link PrePass} and may quarantine it, in which case nothing is opened for delivery,
     * {@code in} is closed and the answer holds no batch. A null {@code reread} (or no gate) runs unchecked.
     */
    Opened open(String connectorId, String routeId, String source, InputStream in, Long length,
                Supplier<InputStream> reread) {
        ConnectorDescriptor connector = connectors.get(connectorId);
        Runnable sizeCheck = () -> {
            if (length != null && length > connector.maxFileBytes()) {
                throw new DataException(source + ": file is " + length + " bytes, over the limit of "
                        + connector.maxFileBytes() + " bytes for " + connector.id());
            }
        };
        Predicate<BatchContext> admit = gate == null || reread == null ? context -> true : context -> {
            sizeCheck.run();
            PrePass prePass = new PrePass(connector, factory(connector), harmoniser(connector), context, reread);
            return gate.check(context, connector, prePass) == BatchGate.Verdict.PASS;
        };
        return open(connector, routeId, source, in, admit, () -> {
            sizeCheck.run();
            return factory(connector).open(in, connector, source);
        });
    }

    /**
     * Opens one batch over a paged source (one run of an API sync): the batch is in the ledger
     * before the first page is fetched; the reader pulls the pages as later steps drain the rows.
     */
    public RecordBatch open(String connectorId, String routeId, String source, PageSource pages) {
        ConnectorDescriptor connector = connectors.get(connectorId);
        return open(connector, routeId, source, pages, context -> true,
                () -> factory(connector).open(pages, connector, source)).batch();
    }

    private Opened open(ConnectorDescriptor connector, String routeId, String source, Closeable in,
                        Predicate<BatchContext> admit, Supplier<RecordReader> opener) {
        BatchContext context = new BatchContext(Ledger.newBatchId(Instant.now(clock)), routeId, connector.id(), connector.partner(),
                connector.dataClass(), source, Instant.now(clock));
        ledger.open(context);
        try {
            if (!admit.test(context)) {
                closeQuietly(in);
                return new Opened(context, null);
            }
            RecordReader reader = opener.get();
            Function<io.caravan.ingest.SourceRow, Row> harmonise = harmoniser(connector).forBatch(context);
            Iterator<Row> rows = new Iterator<>() {
                @Override public boolean hasNext() { return reader.hasNext(); }
                @Override public Row next() { return harmonise.apply(reader.next()); }
            };
            return new Opened(context, new RecordBatch(context, rows, reader));
        } catch (RuntimeException e) {
            closeQuietly(in);
            ledger.fail(context.batchId(), FailureReasons.of(e));
            throw e;
        }
    }

    /** The connector's harmoniser (per descriptor instance, so that a reloaded descriptor gets a new one). */
    private Harmoniser harmoniser(ConnectorDescriptor connector) {
        Harmoniser cached = harmonisers.compute(connector.id(),
                (id, h) -> h != null && h.connector() == connector ? h : new Harmoniser(connector));
        return cached;
    }

    private RecordReaderFactory factory(ConnectorDescriptor connector) {
        RecordReaderFactory factory = readers.get(connector.format().type());
        if (factory == null) {
            throw new IllegalStateException("no reader for format " + connector.format().type());
        }
        return factory;
    }


    private static void closeQuietly(Closeable in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // failing anyway
        }
    }
}
