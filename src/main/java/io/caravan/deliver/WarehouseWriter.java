package io.caravan.deliver;

import io.caravan.ledger.BatchCounts;
import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.JdbcLedger;
import io.caravan.ledger.Rejection;
import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Issue;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a batch into a record table of the warehouse and completes its ledger row.
 *
 * <p><b>Contract.</b> {@link #write} drains the batch's rows once and, in <em>one</em> database
 * transaction, stages every pending row, merges the staged rows into {@code caravan.<table>}
 * (first occurrence of a record key wins; a row equal to the stored record, ignoring
 * {@code batch_id} and {@code ingested_at}, changes nothing and counts as duplicate), stores every
 * row's fatal issues in {@code caravan.rejection} and its warnings in {@code caravan.batch_warning},
 * and marks the ledger row {@code completed} with counts that add up (inserting the ledger row if
 * the batch was never opened). Only after the commit are ledger listeners told. If anything fails,
 * nothing of the batch stays in the warehouse: the transaction is rolled back, the ledger row is
 * marked {@code failed} and a {@link DeliveryException} is thrown. The batch is always closed. A
 * pending row's fields must be columns of the table holding the Java types of
 * {@link ColumnType#javaType()} (a String for text; Integer or Long for int and bigint; BigDecimal
 * for numeric; OffsetDateTime, ZonedDateTime or Instant for timestamptz); anything else is a
 * programming error that fails the batch. A value PostgreSQL cannot store (a NUL character, an int
 * out of range, a year outside 1..9999) rejects its row alone; a value the table's constraints
 * refuse (a check constraint, a numeric precision) fails the batch, as harmonise should have
 * rejected it. Memory use is bounded by the chunk
 * size, whatever the batch size. Thread-safe: each call uses its own connection; the writer holds
 * no state between calls. It logs nothing about rows; errors name batch, table, row number,
 * field and rule, never a value.
 *
 * <p>The merge's sort gets {@code work_mem} from {@link WarehouseProperties#mergeWorkMem()} for
 * the writer's transaction only. Durability is not weakened ({@code synchronous_commit} is left as the server has it): the
 * commit is the point after which the source file is moved away, so it must survive a crash.
 */
public final class WarehouseWriter {
    private static final Logger LOG = LoggerFactory.getLogger(WarehouseWriter.class);
    /** Characters buffered before they are sent to the COPY stream. */
    private static final int FLUSH_CHARS = 1 << 16;

    private final DataSource dataSource;
    private final JdbcLedger ledger;
    private final int chunkRows;
    private final String mergeWorkMem;
    private final Clock clock;
    private final Map<WarehouseTable, MergeSql> sql = new EnumMap<>(WarehouseTable.class);

    /**
     * @param settings chunk size (rows staged per COPY; each chunk's rejections and warnings are
     *                 stored when it ends, so this bounds the memory a batch needs) and the merge's
     *                 {@code work_mem}
     */
    public WarehouseWriter(DataSource dataSource, JdbcLedger ledger, WarehouseProperties settings, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.chunkRows = settings.chunkRows();
        this.mergeWorkMem = settings.mergeWorkMem();
        for (WarehouseTable table : WarehouseTable.values()) {
            sql.put(table, new MergeSql(table));
        }
    }

    /**
     * Writes {@code batch} into {@code table} (see the class contract).
     *
     * @return the completed ledger row
     * @throws DeliveryException if the batch could not be written; nothing of it was kept
     */
    public BatchSummary write(RecordBatch batch, WarehouseTable table) {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(table, "table");
        BatchContext context = batch.context();
        BatchSummary summary;
        try {
            summary = writeInOneTransaction(batch, table);
        } catch (Exception e) {
            DeliveryException failure = DeliveryException.of(context.batchId(), table, e);
            closeAfterFailure(batch, failure);
            try {
                ledger.fail(context, failure.getMessage());
            } catch (RuntimeException ledgerFailure) {
                failure.addSuppressed(DeliveryException.safeCause(ledgerFailure,
                        "marking the batch failed in the ledger also failed: "
                                + DeliveryException.describe(ledgerFailure)));
            }
            throw failure;
        } catch (Error e) {
            closeAfterFailure(batch, e);
            throw e;
        }
        try {
            batch.close();
        } catch (RuntimeException e) {
            // the rows are committed; the source stays where it is and the batch stays completed
            LOG.warn("batch {}: rows committed, but closing its source failed ({})", context.batchId(),
                    e.getClass().getName());
        }
        ledger.notifyFinished(summary);
        return summary;
    }

    private BatchSummary writeInOneTransaction(RecordBatch batch, WarehouseTable table)
            throws SQLException, IOException {
        BatchContext context = batch.context();
        MergeSql statements = sql.get(table);
        Instant ingestedAt = clock.instant();
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                ledger.ensureRunning(connection, context);
                try (Statement create = connection.createStatement()) {
                    create.execute(statements.createStage());
                }
                long start = System.nanoTime();
                Tally tally = stage(connection, batch.rows(), table, statements, context.batchId());
                long staged = System.nanoTime();
                long delivered = tally.staged == 0 ? 0 : merge(connection, statements, context, ingestedAt);
                LOG.debug("batch {}: staged {} rows in {} ms, merged {} into caravan.{} in {} ms", context.batchId(),
                        tally.staged, (staged - start) / 1_000_000, delivered, table.tableName(),
                        (System.nanoTime() - staged) / 1_000_000);
                BatchCounts counts = new BatchCounts(delivered, tally.rejected, tally.consentFiltered,
                        tally.suppressed, tally.staged - delivered, tally.warnings);
                BatchSummary summary = ledger.complete(connection, context, counts, table.tableName(),
                        clock.instant());
                connection.commit();
                return summary;
            } catch (SQLException | IOException | RuntimeException | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; closing it discards the transaction anyway
                }
                throw e;
            } finally {
                try {
                    connection.setAutoCommit(autoCommit);
                } catch (SQLException ignored) {
                    // a broken connection is discarded by the pool
                }
            }
        }
    }

    /** Per-batch counters; pending rows are counted once staged, their outcome decided by the merge. */
    private static final class Tally {
        long staged;
        long rejected;
        long consentFiltered;
        long suppressed;
        long warnings;
    }

    /** Streams the rows into the staging table in chunks of COPY, storing each chunk's issues after it. */
    private Tally stage(Connection connection, Iterator<Row> rows, WarehouseTable table, MergeSql statements,
                        String batchId) throws SQLException, IOException {
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        String[] columns = table.columns().keySet().toArray(String[]::new);
        ColumnType[] types = table.columns().values().toArray(ColumnType[]::new);
        StringBuilder buffer = new StringBuilder(FLUSH_CHARS + 1024);
        List<Rejection> rejections = new ArrayList<>();
        List<Rejection> warnings = new ArrayList<>();
        Tally tally = new Tally();
        while (rows.hasNext()) {
            CopyIn in = copy.copyIn(statements.copyStage());
            try {
                for (int inChunk = 0; inChunk < chunkRows && rows.hasNext(); inChunk++) {
                    Row row = rows.next();
                    if (row.isPending()) {
                        Issue problem = encode(buffer, row, table, columns, types, tally.staged + 1);
                        if (problem == null) {
                            tally.staged++;
                        } else {
                            row.reject(problem.field(), problem.reason());
                        }
                    }
                    switch (row.disposition()) {
                        case PENDING -> { }
                        case REJECTED -> tally.rejected++;
                        case CONSENT_FILTERED -> tally.consentFiltered++;
                        case SUPPRESSED -> tally.suppressed++;
                    }
                    for (Issue issue : row.issues()) {
                        Rejection stored = new Rejection(batchId, row.number(), issue.field(), issue.reason());
                        if (issue.fatal()) {
                            rejections.add(stored);
                        } else {
                            warnings.add(stored);
                            tally.warnings++;
                        }
                    }
                    if (buffer.length() >= FLUSH_CHARS) {
                        send(buffer, in);
                    }
                }
                send(buffer, in);
                in.endCopy();
            } finally {
                if (in.isActive()) {
                    in.cancelCopy();
                }
                buffer.setLength(0);
            }
            ledger.appendIssues(connection, rejections, warnings);
            rejections.clear();
            warnings.clear();
        }
        return tally;
    }

    /**
     * Appends one staging line for a pending row; returns the issue that rejects it (and appends
     * nothing) if a value cannot be stored.
     */
    private static Issue encode(StringBuilder out, Row row, WarehouseTable table, String[] columns,
                                ColumnType[] types, long ordinal) {
        String recordKey = row.recordKey();
        if (recordKey == null) {
            throw new WriterDefect("row " + row.number() + " is pending but has no record key; "
                    + "harmonise sets it before delivery");
        }
        Map<String, Object> fields = row.fields();
        for (String field : fields.keySet()) {
            if (!table.hasColumn(field)) {
                throw new WriterDefect("row " + row.number() + ": field '" + field + "' is not a column of caravan."
                        + table.tableName() + " (the descriptor or policy maps a field the table does not have;"
                        + " columns: " + String.join(", ", columns) + ")");
            }
        }
        int mark = out.length();
        out.append(ordinal).append('\t');
        Issue problem = CopyText.text(out, "record_key", recordKey);
        if (problem == null) {
            out.append('\t');
            problem = CopyText.text(out, "key_id", row.keyId());
        }
        for (int i = 0; problem == null && i < columns.length; i++) {
            out.append('\t');
            try {
                problem = CopyText.append(out, columns[i], types[i], fields.get(columns[i]));
            } catch (WriterDefect e) {
                throw new WriterDefect("row " + row.number() + ": " + e.getMessage());
            }
        }
        if (problem != null) {
            out.setLength(mark);
            return problem;
        }
        out.append('\n');
        return null;
    }

    private static void send(StringBuilder buffer, CopyIn in) throws SQLException {
        if (buffer.length() == 0) {
            return;
        }
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
        in.writeToCopy(bytes, 0, bytes.length);
        buffer.setLength(0);
    }

    private long merge(Connection connection, MergeSql statements, BatchContext context, Instant ingestedAt)
            throws SQLException {
        try (PreparedStatement setting = connection.prepareStatement("SELECT set_config('work_mem', ?, true)")) {
            setting.setString(1, mergeWorkMem);
            setting.execute();
        }
        try (PreparedStatement merge = connection.prepareStatement(statements.merge())) {
            merge.setString(1, context.connectorId());
            merge.setString(2, context.partnerId());
            merge.setString(3, context.dataClass());
            merge.setString(4, context.batchId());
            merge.setObject(5, ingestedAt.atOffset(ZoneOffset.UTC));
            merge.setString(6, context.policyId());
            try (ResultSet result = merge.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private static void closeAfterFailure(RecordBatch batch, Throwable failure) {
        try {
            batch.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(DeliveryException.safeCause(e, "closing the batch source also failed: "
                    + e.getClass().getName()));
        }
    }
}
