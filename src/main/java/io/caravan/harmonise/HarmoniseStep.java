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
import java.util.function.Supplier;
import java.util.stream.Collectors;
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
    private final Map<String, Harmoniser> harmonisers = new ConcurrentHashMap<>();

    @Autowired
    HarmoniseStep(ConnectorRegistry connectors, List<RecordReaderFactory> readers, Ledger ledger) {
        this(connectors, readers, ledger, Clock.systemUTC());
    }

    public HarmoniseStep(ConnectorRegistry connectors, List<RecordReaderFactory> readers, Ledger ledger, Clock clock) {
        this.connectors = connectors;
        this.readers = readers.stream().collect(Collectors.toMap(RecordReaderFactory::formatType, r -> r));
        this.ledger = ledger;
        this.clock = clock;
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
        ConnectorDescriptor connector = connectors.get(connectorId);
        return open(connector, routeId, source, in, () -> {
            if (length != null && length > connector.maxFileBytes()) {
                throw new DataException(source + ": file is " + length + " bytes, over the limit of "
                        + connector.maxFileBytes() + " bytes for " + connector.id());
            }
            return factory(connector).open(in, connector, source);
        });
    }

    /**
     * Opens one batch over a paged source (one run of an API sync): the batch is in the ledger
     * before the first page is fetched; the reader pulls the pages as later steps drain the rows.
     */
    public RecordBatch open(String connectorId, String routeId, String source, PageSource pages) {
        ConnectorDescriptor connector = connectors.get(connectorId);
        return open(connector, routeId, source, pages, () -> factory(connector).open(pages, connector, source));
    }

    private RecordBatch open(ConnectorDescriptor connector, String routeId, String source, Closeable in,
                             Supplier<RecordReader> opener) {
        BatchContext context = new BatchContext(Ledger.newBatchId(Instant.now(clock)), routeId, connector.id(), connector.partner(),
                connector.dataClass(), source, Instant.now(clock));
        ledger.open(context);
        try {
            RecordReader reader = opener.get();
            Function<io.caravan.ingest.SourceRow, Row> harmonise =
                    harmonisers.compute(connector.id(), (id, cached) ->
                            cached != null && cached.connector() == connector ? cached : new Harmoniser(connector)).forBatch(context);
            Iterator<Row> rows = new Iterator<>() {
                @Override public boolean hasNext() { return reader.hasNext(); }
                @Override public Row next() { return harmonise.apply(reader.next()); }
            };
            return new RecordBatch(context, rows, reader);
        } catch (RuntimeException e) {
            closeQuietly(in);
            ledger.fail(context.batchId(), FailureReasons.of(e));
            throw e;
        }
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
