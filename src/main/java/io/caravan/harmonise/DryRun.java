package io.caravan.harmonise;

import io.caravan.connector.CanonicalFields;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.error.DataException;
import io.caravan.ingest.PageSource;
import io.caravan.ingest.RecordReader;
import io.caravan.ingest.RecordReaderFactory;
import io.caravan.ingest.SourceRow;
import io.caravan.ledger.BatchCounts;
import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Disposition;
import io.caravan.pipeline.Issue;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * A pass over a source that writes nothing: the connector's reader and harmoniser, then the stages
 * the caller adds (e.g. the consent and pseudonymise steps of the connector's route), then the
 * warehouse writer's accounting without its database: each row ends delivered, duplicate (its record
 * key seen earlier in the same source), rejected, consent-filtered or suppressed, exactly as the
 * ledger would count it for a first delivery.
 *
 * <p>Contract. {@link #run} opens no ledger batch, writes no file, table or log line, and keeps
 * nothing after it returns (the source is closed whatever happens). It obeys the ingestion limits of
 * the connector ({@code limits.maxFileBytes}, {@code limits.maxFieldChars}, the readers' own rules
 * such as a refused XML {@code DOCTYPE}) and the tighter {@link Limits} of the caller: a source over
 * {@link Limits#maxBytes()} or with more than {@link Limits#maxColumns()} columns, or a compressed
 * archive (zip, gzip: never unpacked), is refused with a {@link DataException} naming the source
 * and the rule, never a value. The {@link Outcome} names rows, fields and rules; its sample rows
 * hold only what the stages left (tokens, generalised values) and never show the value of a
 * personal field ({@link CanonicalFields#isPersonal}), an encrypted column or binary data.
 *
 * <p>Thread-safe: each call works on its own batch, on the calling thread. Meant for previews and
 * for checks that need to know what a file would do before it is ingested (quality gates).
 */
@Component
public class DryRun {
    /** What a sample value shows instead of a personal field's value. */
    public static final String HIDDEN = "(personal, not shown)";

    private final ConnectorRegistry connectors;
    private final Map<String, RecordReaderFactory> readers;
    private final Clock clock;

    @Autowired
    public DryRun(ConnectorRegistry connectors, List<RecordReaderFactory> readers) {
        this(connectors, readers, Clock.systemUTC());
    }

    DryRun(ConnectorRegistry connectors, List<RecordReaderFactory> readers, Clock clock) {
        this.connectors = connectors;
        this.readers = readers.stream().collect(Collectors.toMap(RecordReaderFactory::formatType, r -> r));
        this.clock = clock;
    }

    /**
     * The caller's limits, on top of the connector's own.
     *
     * @param maxBytes   a longer source is refused when the byte after the limit is read
     * @param maxColumns a source with more columns is refused at its first row
     * @param sampleRows how many rows (from the first) the outcome shows
     * @param maxIssues  how many rejections and warnings the outcome lists (all are counted)
     */
    public record Limits(long maxBytes, int maxColumns, int sampleRows, int maxIssues) {
        public Limits {
            if (maxBytes < 1 || maxColumns < 1 || sampleRows < 0 || maxIssues < 0) {
                throw new IllegalArgumentException("dry-run limits must be positive");
            }
        }
    }

    /** One row of the sample: its number, where it would end, and its fields as they would be stored. */
    public record SampleRow(long row, String outcome, Map<String, String> fields) {
        public SampleRow {
            fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }
    }

    /** A rejection or warning of one row: field and rule, never the value. */
    public record RowIssue(long row, String field, String rule) {
    }

    /**
     * What the source would do.
     *
     * @param counts          the ledger's counters for a first delivery (rows_in = their sum)
     * @param recordKeys      the distinct record keys of the rows that would be delivered, so a caller may
     *                        ask the warehouse (read-only) which of them it already holds
     * @param issuesTruncated whether more rejections or warnings exist than are listed
     */
    public record Outcome(String connectorId, String table, BatchCounts counts, List<SampleRow> sample,
                          List<RowIssue> rejections, List<RowIssue> warnings, Set<String> unmappedColumns,
                          Set<String> recordKeys, boolean issuesTruncated) {
    }

    /**
     * Runs {@code in} through the connector and the caller's {@code stages}; the source is closed on return.
     *
     * @param stages applied to the harmonised batch (lazy, like a route's steps); {@link UnaryOperator#identity()} for none
     * @throws DataException the source is refused as a whole (limits, structure), naming the source and the rule
     * @throws IllegalArgumentException the connector does not exist
     */
    public Outcome run(String connectorId, InputStream in, String source, Limits limits,
                       UnaryOperator<RecordBatch> stages) {
        ConnectorDescriptor connector = connector(connectorId);
        long maxBytes = Math.min(limits.maxBytes(), connector.maxFileBytes());
        InputStream guarded = null;
        try {
            guarded = refuseArchives(new CappedInputStream(in, maxBytes, source), source);
            RecordReader reader = factory(connector).open(guarded, connector, source);
            return run(connector, reader, source, limits, stages);
        } finally {
            closeQuietly(guarded == null ? in : guarded);
        }
    }

    /** The same over one page source (an API connector's first page); the source is closed on return. */
    public Outcome run(String connectorId, PageSource pages, String source, Limits limits,
                       UnaryOperator<RecordBatch> stages) {
        ConnectorDescriptor connector = connector(connectorId);
        try (pages) {
            return run(connector, factory(connector).open(pages, connector, source), source, limits, stages);
        } catch (IOException e) {
            throw new DataException(source + ": could not be closed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Outcome run(ConnectorDescriptor connector, RecordReader reader, String source, Limits limits,
                        UnaryOperator<RecordBatch> stages) {
        Instant now = Instant.now(clock);
        BatchContext context = new BatchContext("preview", null, connector.id(), connector.partner(),
                connector.dataClass(), source, now);
        Function<SourceRow, Row> harmonise = new Harmoniser(connector).forBatch(context);
        Iterator<Row> rows = new Iterator<>() {
            private Collection<String> checked;

            @Override public boolean hasNext() { return reader.hasNext(); }

            @Override public Row next() {
                SourceRow row = reader.next();
                if (row.columns() != checked) {
                    checked = row.columns();
                    if (checked.size() > limits.maxColumns()) {
                        throw new DataException(source + ": " + checked.size() + " columns, over the limit of "
                                + limits.maxColumns());
                    }
                }
                return harmonise.apply(row);
            }
        };
        try (RecordBatch batch = stages.apply(new RecordBatch(context, rows, reader))) {
            return drain(connector, batch, limits);
        }
    }

    private static Outcome drain(ConnectorDescriptor connector, RecordBatch batch, Limits limits) {
        long delivered = 0, rejected = 0, filtered = 0, suppressed = 0, duplicate = 0, warnings = 0;
        List<SampleRow> sample = new ArrayList<>();
        List<RowIssue> rejections = new ArrayList<>();
        List<RowIssue> warningList = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        boolean truncated = false;
        Iterator<Row> rows = batch.rows();
        while (rows.hasNext()) {
            Row row = rows.next();
            String outcome;
            if (row.disposition() == Disposition.PENDING) {
                if (row.recordKey() != null && keys.add(row.recordKey())) {
                    delivered++;
                    outcome = "delivered";
                } else {
                    duplicate++;
                    outcome = "duplicate";
                }
            } else {
                switch (row.disposition()) {
                    case REJECTED -> rejected++;
                    case CONSENT_FILTERED -> filtered++;
                    case SUPPRESSED -> suppressed++;
                    default -> throw new IllegalStateException("unexpected disposition " + row.disposition());
                }
                outcome = row.disposition().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            }
            for (Issue issue : row.issues()) {
                List<RowIssue> list = issue.fatal() ? rejections : warningList;
                if (!issue.fatal()) {
                    warnings++;
                }
                if (list.size() < limits.maxIssues()) {
                    list.add(new RowIssue(row.number(), issue.field(), issue.reason()));
                } else {
                    truncated = true;
                }
            }
            if (sample.size() < limits.sampleRows()) {
                sample.add(new SampleRow(row.number(), outcome,
                        "delivered".equals(outcome) || "duplicate".equals(outcome) ? shown(row.fields()) : Map.of()));
            }
        }
        return new Outcome(connector.id(), connector.table().tableName(),
                new BatchCounts(delivered, rejected, filtered, suppressed, duplicate, warnings),
                List.copyOf(sample), List.copyOf(rejections), List.copyOf(warningList),
                batch.context().unmappedColumns(), Set.copyOf(keys), truncated);
    }

    /** The fields of a row as a preview may show them, in name order; see the class contract. */
    static Map<String, String> shown(Map<String, Object> fields) {
        Map<String, String> shown = new TreeMap<>();
        fields.forEach((name, value) -> {
            if (name.startsWith("_")) {
                return;
            }
            shown.put(name, value == null ? null : safe(name, value));
        });
        return shown;
    }

    private static String safe(String name, Object value) {
        if (CanonicalFields.isPersonal(name)) {
            return HIDDEN;
        }
        if (name.endsWith("_enc")) {
            return "(encrypted)";
        }
        if (value instanceof byte[] bytes) {
            return "(" + bytes.length + " bytes, sealed)";
        }
        if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean
                || value instanceof TemporalAccessor) {
            return value.toString();
        }
        return "(" + value.getClass().getSimpleName() + ")";
    }

    private ConnectorDescriptor connector(String connectorId) {
        return connectors.find(Objects.requireNonNull(connectorId, "connectorId"))
                .orElseThrow(() -> new IllegalArgumentException("unknown connector '" + connectorId + "'"));
    }

    private RecordReaderFactory factory(ConnectorDescriptor connector) {
        RecordReaderFactory factory = readers.get(connector.format().type());
        if (factory == null) {
            throw new IllegalStateException("no reader for format " + connector.format().type());
        }
        return factory;
    }

    /** Refuses a zip or gzip archive by its first bytes: Caravan never unpacks one. */
    private static InputStream refuseArchives(InputStream in, String source) {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        try {
            buffered.mark(4);
            byte[] head = buffered.readNBytes(4);
            buffered.reset();
            boolean zip = head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
            boolean gzip = head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
            if (zip || gzip) {
                throw new DataException(source + ": a compressed archive (" + (zip ? "zip" : "gzip")
                        + ") is refused: upload the file itself");
            }
            return buffered;
        } catch (IOException e) {
            throw new DataException(source + ": unreadable (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to keep
        }
    }

    /** Refuses the source when a byte beyond {@code max} is read, before it is handed on. */
    static final class CappedInputStream extends FilterInputStream {
        private final long max;
        private final String source;
        private long read;

        CappedInputStream(InputStream in, long max, String source) {
            super(in);
            this.max = max;
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count(skipped);
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void count(long n) {
            read += n;
            if (read > max) {
                throw new DataException(source + ": over the limit of " + max + " bytes");
            }
        }
    }
}
