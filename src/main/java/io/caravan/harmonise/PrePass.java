package io.caravan.harmonise;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.FieldSpec;
import io.caravan.connector.FieldType;
import io.caravan.ingest.RecordReader;
import io.caravan.ingest.RecordReaderFactory;
import io.caravan.ingest.SourceRow;
import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Row;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A streaming, read-only pass over a whole source before it is delivered: each record is read with
 * the connector's reader and harmonised (parse, map, normalise, validate) as the real run will judge
 * it ({@link Harmoniser#forProfile}: optional e-mails and phones, which can only warn, are not parsed,
 * and no record key is hashed), and only counted; nothing is written anywhere and no row is kept, so memory stays flat
 * whatever the source's size (the column list is capped at {@link #MAX_COLUMNS}).
 *
 * <p>The source is opened anew for the pass (from the {@link Supplier} given) and closed at its
 * end; the real run reads it again. A source that cannot be read at all fails the pass with the
 * reader's {@link io.caravan.error.DataException} (file and rule, never a value). Single use, one
 * thread; logs nothing.
 */
public final class PrePass {
    /** At most this many distinct column names are kept in the profile. */
    public static final int MAX_COLUMNS = 500;

    private final ConnectorDescriptor connector;
    private final RecordReaderFactory reader;
    private final Harmoniser harmoniser;
    private final BatchContext batch;
    private final Supplier<InputStream> source;
    private BatchContext scratch;

    PrePass(ConnectorDescriptor connector, RecordReaderFactory reader, Harmoniser harmoniser, BatchContext batch,
            Supplier<InputStream> source) {
        this.connector = connector;
        this.reader = reader;
        this.harmoniser = harmoniser;
        this.batch = batch;
        this.source = source;
    }

    public ConnectorDescriptor connector() {
        return connector;
    }

    /**
     * Reads the whole source once and counts.
     *
     * @param dateFields canonical date or timestamp fields whose values are checked against the window
     * @param earliest   the first plausible day (inclusive)
     * @param latest     the last plausible day (inclusive)
     */
    public FileProfile run(Set<String> dateFields, LocalDate earliest, LocalDate latest) {
        // a context of its own: what the pass notes (unmapped columns) must not leak into the real batch
        scratch = new BatchContext(batch.batchId(), batch.routeId(), batch.connectorId(), batch.partnerId(),
                batch.dataClass(), batch.source(), batch.startedAt());
        Function<SourceRow, Row> harmonise = harmoniser.forProfile(scratch); // counts, not identifiers
        List<FieldSpec> required = connector.fields().values().stream().filter(FieldSpec::required).toList();
        List<FieldSpec> vins = connector.fields().values().stream().filter(f -> f.type() == FieldType.VIN).toList();
        Set<String> columns = new LinkedHashSet<>();
        Map<String, Long> missing = new HashMap<>();
        Map<String, long[]> dates = new HashMap<>();
        dateFields.forEach(f -> dates.put(f, new long[3]));
        long rows = 0;
        long unreadable = 0;
        long rejected = 0;
        long vinsPresent = 0;
        long vinsInvalid = 0;
        Collection<String> lastColumns = null;
        InputStream in = source.get();
        try (RecordReader records = reader.open(in, connector, batch.source())) {
            while (records.hasNext()) {
                SourceRow record = records.next();
                rows++;
                if (record.columns() != lastColumns) {
                    lastColumns = record.columns();
                    for (String column : lastColumns) {
                        if (columns.size() < MAX_COLUMNS) {
                            columns.add(column);
                        }
                    }
                }
                Row row = harmonise.apply(record);
                if (!row.isPending()) {
                    rejected++;
                }
                if (record.problem() != null) {
                    unreadable++;
                    continue;
                }
                for (FieldSpec spec : required) {
                    String raw = record.get(spec.column());
                    if ((raw == null || raw.isBlank()) && !record.absentByDesign(spec.column())) {
                        missing.merge(spec.name(), 1L, Long::sum);
                    }
                }
                for (FieldSpec spec : vins) {
                    String raw = record.get(spec.column());
                    if (raw != null && !raw.isBlank()) {
                        vinsPresent++;
                        if (row.get(spec.name()) == null) {
                            vinsInvalid++;
                        }
                    }
                }
                for (Map.Entry<String, long[]> date : dates.entrySet()) {
                    LocalDate day = day(row.get(date.getKey()));
                    if (day != null) {
                        long[] counts = date.getValue();
                        counts[0]++;
                        if (day.isBefore(earliest)) {
                            counts[1]++;
                        } else if (day.isAfter(latest)) {
                            counts[2]++;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not close the pre-pass over " + batch.source(), e);
        }
        Map<String, FileProfile.DateCounts> dateCounts = new HashMap<>();
        dates.forEach((field, c) -> dateCounts.put(field, new FileProfile.DateCounts(c[0], c[1], c[2])));
        return new FileProfile(new ArrayList<>(columns), rows, unreadable, rejected, missing, vinsPresent, vinsInvalid,
                dateCounts);
    }

    /**
     * The source columns the descriptor does not map, as the last {@link #run} found them (names only,
     * capped like a batch's); empty before a run. The pass never adds them to the real batch itself.
     */
    public Set<String> unmappedColumns() {
        return scratch == null ? Set.of() : scratch.unmappedColumns();
    }

    private static LocalDate day(Object value) {
        if (value instanceof LocalDate date) {
            return date;
        }
        if (value instanceof OffsetDateTime timestamp) {
            return timestamp.toLocalDate();
        }
        return null;
    }
}
