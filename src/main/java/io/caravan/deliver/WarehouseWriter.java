package io.caravan.deliver;

import io.caravan.connector.ColumnType;
import io.caravan.connector.WarehouseTable;
import io.caravan.error.FailureReasons;
import io.caravan.ledger.BatchCounts;
import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.Ledger;
import io.caravan.ledger.Rejection;
import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Issue;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * the batch was never opened). With data products on, the same transaction adds the batch's delivered
 * record keys to {@code caravan.data_product_outbox} (one INSERT … SELECT; #16). Only after the
 * commit are ledger listeners told. If anything fails,
 * nothing of the batch stays in the warehouse: the transaction is rolled back, the ledger row is
 * marked {@code failed} and a {@link DeliveryException} is thrown. The batch is always closed. A
 * pending row's fields must be columns of the table holding the Java types of
 * {@link ColumnType#javaType()} (a String for text; Integer or Long for int and bigint; BigDecimal
 * for numeric; OffsetDateTime, ZonedDateTime or Instant for timestamptz); anything else is a
 * programming error that fails the batch. A value PostgreSQL cannot store (a NUL character, an int
 * out of range, a year outside 1..9999) rejects its row alone; a value the table's constraints
 * refuse (a check constraint, a numeric precision) fails the batch, as harmonise should have
 * rejected it. Memory use is bounded by the chunk size (at most {@value #CHUNKS_IN_FLIGHT} chunks
 * wait between the two halves below), whatever the batch size. Thread-safe: each call uses its own
 * connection; the writer holds no state between calls.
 *
 * <p><b>Two halves.</b> The calling thread pulls the rows (and with them the reading, harmonising,
 * consent and pseudonymising of the steps before, which are lazy), counts them and encodes them
 * as COPY text in chunks; a delivery thread owns the connection and, chunk by chunk, COPYs into
 * a staging table and merges, so the JVM's work and the database's overlap. The transaction and
 * its outcome are the same as if one thread did both. It logs nothing about rows; errors name batch, table, row number,
 * field and rule, never a value.
 *
 * <p>The merge's sort gets {@code work_mem} from {@link WarehouseProperties#mergeWorkMem()} for
 * the writer's transaction only. Durability is not weakened ({@code synchronous_commit} is left as the server has it): the
 * commit is the point after which the source file is moved away, so it must survive a crash.
 */
final class WarehouseWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WarehouseWriter.class);
    /** Initial capacity of a chunk's COPY text buffer. */
    private static final int FLUSH_CHARS = 1 << 16;
    /** Chunks encoded ahead of the delivery thread: bounds memory while keeping both sides busy. */
    private static final int CHUNKS_IN_FLIGHT = 2;

    private final DataSource dataSource;
    private final Ledger ledger;
    private final int chunkRows;
    private final String mergeWorkMem;
    private final Clock clock;
    /** Whether the commit also queues the delivered record keys for the data products (#16). */
    private final boolean dataProductOutbox;
    private final Map<WarehouseTable, MergeSql> sql = new EnumMap<>(WarehouseTable.class);
    private final ExecutorService deliveryThreads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "caravan-delivery");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param settings chunk size (rows staged per COPY; each chunk's rejections and warnings are
     *                 stored when it ends, so this bounds the memory a batch needs) and the merge's
     *                 {@code work_mem}
     */
    public WarehouseWriter(DataSource dataSource, Ledger ledger, WarehouseProperties settings, Clock clock) {
        this(dataSource, ledger, settings, clock, false);
    }

    /**
     * @param dataProductOutbox when true, the transaction that merges a batch also adds its delivered
     *                          record keys to {@code caravan.data_product_outbox} (one INSERT … SELECT)
     */
    public WarehouseWriter(DataSource dataSource, Ledger ledger, WarehouseProperties settings, Clock clock,
                           boolean dataProductOutbox) {
        this.dataProductOutbox = dataProductOutbox;
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
                // a failure upstream (a refused source, a partner API that is down) is reported in its own
                // words, by the rule every step uses; the writer's own database failures as described here
                ledger.fail(context, e instanceof SQLException ? failure.getMessage() : FailureReasons.of(e));
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

    private BatchSummary writeInOneTransaction(RecordBatch batch, WarehouseTable table) throws Exception {
        BatchContext context = batch.context();
        BlockingQueue<Chunk> handOff = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT);
        Future<BatchSummary> delivery = deliveryThreads.submit(() -> deliver(handOff, context, table));
        try {
            encodeChunks(batch.rows(), table, context.batchId(), handOff, delivery);
        } catch (Exception | Error e) {
            // the source or a step before this one failed: the delivery thread rolls back and stops
            handOff.clear();
            handOff.offer(Chunk.ABORT);
            try {
                delivery.get();
            } catch (ExecutionException | CancellationException ignored) {
                // the first failure is the one to report
            }
            throw e;
        }
        return await(delivery);
    }

    /**
     * The caller's half: pulls the rows through the steps before this one (reading, harmonising,
     * consent, pseudonymising all happen here, lazily), counts them, encodes pending rows as COPY
     * text and hands chunks of at most {@code chunkRows} rows to the delivery thread.
     */
    private void encodeChunks(Iterator<Row> rows, WarehouseTable table, String batchId,
                              BlockingQueue<Chunk> handOff, Future<BatchSummary> delivery) throws Exception {
        String[] columns = table.columns().keySet().toArray(String[]::new);
        ColumnType[] types = table.columns().values().toArray(ColumnType[]::new);
        StringBuilder buffer = new StringBuilder(FLUSH_CHARS + 1024);
        Tally tally = new Tally();
        while (rows.hasNext()) {
            List<Rejection> rejections = new ArrayList<>();
            List<Rejection> warnings = new ArrayList<>();
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
            }
            byte[] copyText = buffer.toString().getBytes(StandardCharsets.UTF_8);
            buffer.setLength(0);
            handOver(handOff, new Chunk(copyText, rejections, warnings, null), delivery);
        }
        handOver(handOff, new Chunk(new byte[0], List.of(), List.of(), tally), delivery);
    }

    /** Puts a chunk in the hand-off queue, giving up at once if the delivery thread has failed. */
    private static void handOver(BlockingQueue<Chunk> handOff, Chunk chunk, Future<BatchSummary> delivery)
            throws Exception {
        while (!handOff.offer(chunk, 50, TimeUnit.MILLISECONDS)) {
            if (delivery.isDone()) {
                await(delivery);
                throw new IllegalStateException("the delivery thread ended before the last chunk");
            }
        }
    }

    private static BatchSummary await(Future<BatchSummary> delivery) throws Exception {
        try {
            return delivery.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * The delivery thread's half: one connection, one transaction. Each chunk is COPYed into the
     * staging table, its issues stored, and merged; the last one carries the counts, completes the
     * ledger row and commits. {@link Chunk#ABORT} rolls back.
     */
    private BatchSummary deliver(BlockingQueue<Chunk> handOff, BatchContext context, WarehouseTable table)
            throws SQLException, InterruptedException {
        MergeSql statements = sql.get(table);
        Instant ingestedAt = clock.instant();
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                ledger.ensureRunning(connection, context);
                try (Statement create = connection.createStatement()) {
                    create.execute(statements.createStage());
                    create.execute(statements.createSeen());
                }
                try (PreparedStatement setting = connection.prepareStatement("SELECT set_config('work_mem', ?, true)")) {
                    setting.setString(1, mergeWorkMem);
                    setting.execute();
                }
                CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
                long delivered = 0;
                long copyNanos = 0;
                long mergeNanos = 0;
                while (true) {
                    Chunk chunk = handOff.take();
                    if (chunk == Chunk.ABORT) {
                        connection.rollback();
                        return null;
                    }
                    if (chunk.copyText.length > 0) {
                        long t0 = System.nanoTime();
                        CopyIn in = copy.copyIn(statements.copyStage());
                        try {
                            in.writeToCopy(chunk.copyText, 0, chunk.copyText.length);
                            in.endCopy();
                        } finally {
                            if (in.isActive()) {
                                in.cancelCopy();
                            }
                        }
                        long t1 = System.nanoTime();
                        delivered += mergeChunk(connection, statements, context, ingestedAt);
                        copyNanos += t1 - t0;
                        mergeNanos += System.nanoTime() - t1;
                    }
                    ledger.appendIssues(connection, chunk.rejections, chunk.warnings);
                    if (chunk.tally != null) {
                        Tally tally = chunk.tally;
                        LOG.debug("batch {}: staged {} rows (COPY {} ms), merged {} into caravan.{} ({} ms)",
                                context.batchId(), tally.staged, copyNanos / 1_000_000, delivered, table.tableName(),
                                mergeNanos / 1_000_000);
                        BatchCounts counts = new BatchCounts(delivered, tally.rejected, tally.consentFiltered,
                                tally.suppressed, tally.staged - delivered, tally.warnings);
                        if (dataProductOutbox && delivered > 0) {
                            try (PreparedStatement outbox = connection.prepareStatement(statements.outbox())) {
                                outbox.setString(1, context.batchId());
                                outbox.setObject(2, ingestedAt.atOffset(ZoneOffset.UTC));
                                outbox.setString(3, context.batchId());
                                outbox.executeUpdate();
                            }
                        }
                        BatchSummary summary = ledger.complete(connection, context, counts, table.tableName(),
                                clock.instant());
                        connection.commit();
                        return summary;
                    }
                }
            } catch (SQLException | RuntimeException | Error | InterruptedException e) {
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

    /** Per-batch counters; pending rows are counted once staged, their outcome decided by the merges. */
    private static final class Tally {
        long staged;
        long rejected;
        long consentFiltered;
        long suppressed;
        long warnings;
    }

    /**
     * One chunk of a batch on its way to the delivery thread: COPY text of its pending rows and
     * its issues; the last chunk of a batch carries the batch's counts.
     */
    private record Chunk(byte[] copyText, List<Rejection> rejections, List<Rejection> warnings, Tally tally) {
        static final Chunk ABORT = new Chunk(new byte[0], List.of(), List.of(), null);
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

    private long mergeChunk(Connection connection, MergeSql statements, BatchContext context, Instant ingestedAt)
            throws SQLException {
        long merged;
        try (PreparedStatement merge = connection.prepareStatement(statements.merge())) {
            merge.setString(1, context.connectorId());
            merge.setString(2, context.partnerId());
            merge.setString(3, context.dataClass());
            merge.setString(4, context.batchId());
            merge.setObject(5, ingestedAt.atOffset(ZoneOffset.UTC));
            merge.setString(6, context.policyId());
            try (ResultSet result = merge.executeQuery()) {
                result.next();
                merged = result.getLong(1);
            }
        }
        try (Statement truncate = connection.createStatement()) {
            truncate.execute(statements.truncateStage());
        }
        return merged;
    }

    /** Stops the delivery threads (a batch in flight fails and rolls back). */
    @Override
    public void close() {
        deliveryThreads.shutdownNow();
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
