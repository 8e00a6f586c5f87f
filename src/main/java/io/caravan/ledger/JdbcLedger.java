package io.caravan.ledger;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import io.caravan.pipeline.BatchContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The {@link Ledger} on PostgreSQL: {@code caravan.batch}, {@code caravan.rejection} and
 * {@code caravan.batch_warning}.
 *
 * <p>{@link #open} and both {@code fail} methods run in their own autocommit transaction on a
 * connection of their own, so an operator sees them at once whatever the caller's transaction
 * does; {@link #ensureRunning}, {@link #appendIssues} and {@link #complete} run on the caller's
 * connection, inside its transaction.
 *
 * <p>Thread-safe: no mutable state besides a copy-on-write listener list. A listener that throws
 * is logged (its class, not the batch content) and does not disturb the ledger or other
 * listeners. Nothing here logs row content; reasons are stored as given and must name no value.
 */
@Component
public class JdbcLedger implements Ledger {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcLedger.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest stored failure reason; longer ones are cut (they are diagnostics, not data). */
    static final int MAX_REASON = 2000;

    private static final String COLUMNS = "batch_id, route_id, connector_id, partner_id, source, started_at, "
            + "finished_at, status, rows_in, rows_delivered, rows_rejected, rows_consent_filtered, "
            + "rows_suppressed, rows_duplicate, warnings, error, replay_of";

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final List<BatchListener> listeners = new CopyOnWriteArrayList<>();

    public JdbcLedger(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.jdbc = new JdbcTemplate(dataSource);
    }

    // ---------------------------------------------------------------------------------------
    // Ledger
    // ---------------------------------------------------------------------------------------

    /** {@inheritDoc} Fails if a batch with the same id already exists. */
    @Override
    public void open(BatchContext batch) {
        Objects.requireNonNull(batch, "batch");
        autocommit("ledger open", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO caravan.batch (batch_id, route_id, "
                    + "connector_id, partner_id, source, started_at, status) VALUES (?, ?, ?, ?, ?, ?, 'running')")) {
                bindContext(ps, batch);
                ps.executeUpdate();
            }
            return null;
        });
        for (BatchListener listener : listeners) {
            try {
                listener.opened(batch);
            } catch (RuntimeException e) {
                LOG.warn("ledger listener {} failed on batch {} opened: {}", listener.getClass().getName(),
                        batch.batchId(), e.getClass().getName());
            }
        }
    }

    /** {@inheritDoc} An unknown batch id changes nothing. Listeners hear of a batch that changed. */
    @Override
    public void fail(String batchId, String reason) {
        Objects.requireNonNull(batchId, "batchId");
        Optional<BatchSummary> failed = autocommit("ledger fail", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE caravan.batch SET status = 'failed', "
                    + "finished_at = ?, error = ? WHERE batch_id = ? AND status = 'running' RETURNING " + COLUMNS)) {
                ps.setObject(1, utc(Instant.now()));
                ps.setString(2, clip(reason));
                ps.setString(3, batchId);
                return single(ps);
            }
        });
        failed.ifPresent(this::notifyFinished);
    }

    /** {@inheritDoc} */
    @Override
    public void fail(BatchContext batch, String reason) {
        Objects.requireNonNull(batch, "batch");
        Optional<BatchSummary> failed = autocommit("ledger fail", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO caravan.batch (batch_id, route_id, "
                    + "connector_id, partner_id, source, started_at, status, finished_at, error, unmapped_columns) "
                    + "VALUES (?, ?, ?, ?, ?, ?, 'failed', ?, ?, ?) ON CONFLICT (batch_id) DO UPDATE "
                    + "SET status = 'failed', finished_at = EXCLUDED.finished_at, error = EXCLUDED.error, "
                    + "unmapped_columns = EXCLUDED.unmapped_columns "
                    + "WHERE caravan.batch.status = 'running' RETURNING " + COLUMNS)) {
                bindContext(ps, batch);
                ps.setObject(7, utc(Instant.now()));
                ps.setString(8, clip(reason));
                ps.setArray(9, c.createArrayOf("text", batch.unmappedColumns().toArray()));
                return single(ps);
            }
        });
        failed.ifPresent(this::notifyFinished);
    }

    /** {@inheritDoc} */
    @Override
    public List<BatchSummary> failRunning(String reason) {
        return autocommit("ledger recovery", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE caravan.batch SET status = 'failed', "
                    + "finished_at = ?, error = ? WHERE status = 'running' RETURNING " + COLUMNS)) {
                ps.setObject(1, utc(Instant.now()));
                ps.setString(2, clip(reason));
                List<BatchSummary> failed = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        failed.add(summary(rs));
                    }
                }
                failed.sort(Comparator.comparing(BatchSummary::startedAt).thenComparing(BatchSummary::batchId));
                return failed;
            }
        });
    }

    /** {@inheritDoc} The batch row and its reasons are written in one transaction. */
    @Override
    public Optional<BatchSummary> quarantine(BatchContext batch, long rowsIn, List<QuarantineReason> reasons) {
        Objects.requireNonNull(batch, "batch");
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("a quarantine needs at least one reason");
        }
        Instant now = Instant.now();
        StringBuilder error = new StringBuilder("quarantined by the gates: ");
        for (int i = 0; i < reasons.size(); i++) {
            error.append(i == 0 ? "" : "; ").append(reasons.get(i).detail());
        }
        Optional<BatchSummary> quarantined = transaction("ledger quarantine", c -> {
            Optional<BatchSummary> updated;
            try (PreparedStatement ps = c.prepareStatement("UPDATE caravan.batch SET status = 'quarantined', "
                    + "finished_at = ?, rows_in = ?, error = ?, unmapped_columns = ? "
                    + "WHERE batch_id = ? AND status = 'running' RETURNING " + COLUMNS)) {
                ps.setObject(1, utc(now));
                ps.setLong(2, rowsIn);
                ps.setString(3, clip(error.toString()));
                ps.setArray(4, c.createArrayOf("text", batch.unmappedColumns().toArray()));
                ps.setString(5, batch.batchId());
                updated = single(ps);
            }
            if (updated.isPresent()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO caravan.quarantine (batch_id, reasons, state, "
                        + "quarantined_at) VALUES (?, ?::jsonb, 'held', ?)")) {
                    ps.setString(1, batch.batchId());
                    ps.setString(2, JSON.writeValueAsString(reasons));
                    ps.setObject(3, utc(now));
                    ps.executeUpdate();
                }
            }
            return updated;
        });
        quarantined.ifPresent(this::notifyFinished);
        return quarantined;
    }

    @Override
    public Optional<Quarantine> quarantineOf(String batchId) {
        return jdbc.query("SELECT batch_id, state, reasons::text AS reasons, quarantined_at, decided_by, decided_at, "
                + "decision_reason, released_as FROM caravan.quarantine WHERE batch_id = ?", (rs, n) -> new Quarantine(
                rs.getString("batch_id"), rs.getString("state"),
                List.of(JSON.readValue(rs.getString("reasons"), QuarantineReason[].class)),
                instant(rs, "quarantined_at"), rs.getString("decided_by"), instant(rs, "decided_at"),
                rs.getString("decision_reason"), rs.getString("released_as")), batchId).stream().findFirst();
    }

    @Override
    public boolean startRelease(String batchId, String actor) {
        return jdbc.update("UPDATE caravan.quarantine q SET state = 'releasing', decided_by = ?, decided_at = ? "
                + "FROM caravan.batch b WHERE q.batch_id = ? AND q.state IN ('held', 'releasing') AND q.released_as IS NULL "
                + "AND b.batch_id = q.batch_id "
                + "AND b.status = 'quarantined'", actor, utc(Instant.now()), batchId) == 1;
    }

    @Override
    public void abortRelease(String batchId) {
        jdbc.update("UPDATE caravan.quarantine SET state = 'held', decided_by = NULL, decided_at = NULL "
                + "WHERE batch_id = ? AND state = 'releasing'", batchId);
    }

    /** {@inheritDoc} The oldest releasing quarantine of the route and source wins. */
    @Override
    public Optional<String> claimRelease(BatchContext batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.routeId() == null || batch.source() == null) {
            return Optional.empty();
        }
        return transaction("ledger release", c -> {
            String released = null;
            try (PreparedStatement ps = c.prepareStatement("UPDATE caravan.quarantine SET state = 'released', released_as = ? "
                    + "WHERE batch_id = (SELECT q.batch_id FROM caravan.quarantine q JOIN caravan.batch b USING (batch_id) "
                    + "WHERE q.state = 'releasing' AND b.route_id = ? AND b.source = ? AND b.batch_id <> ? "
                    + "ORDER BY q.decided_at, q.batch_id LIMIT 1 FOR UPDATE OF q SKIP LOCKED) RETURNING batch_id")) {
                ps.setString(1, batch.batchId());
                ps.setString(2, batch.routeId());
                ps.setString(3, batch.source());
                ps.setString(4, batch.batchId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        released = rs.getString(1);
                    }
                }
            }
            if (released != null) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE caravan.batch SET status = 'released' WHERE batch_id = ? AND status = 'quarantined'")) {
                    ps.setString(1, released);
                    ps.executeUpdate();
                }
            }
            return Optional.ofNullable(released);
        });
    }

    @Override
    public Optional<BatchSummary> rejectQuarantined(String batchId, String actor, String reason) {
        Instant now = Instant.now();
        Optional<BatchSummary> rejected = transaction("ledger reject", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE caravan.quarantine SET state = 'rejected', decided_by = ?, "
                    + "decided_at = ?, decision_reason = ? WHERE batch_id = ? AND state = 'held'")) {
                ps.setString(1, actor);
                ps.setObject(2, utc(now));
                ps.setString(3, clip(reason));
                ps.setString(4, batchId);
                if (ps.executeUpdate() != 1) {
                    return Optional.<BatchSummary>empty();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE caravan.batch SET status = 'rejected', "
                    + "rows_rejected = rows_in, error = 'rejected by an operator: ' || ? || ' (' || error || ')' "
                    + "WHERE batch_id = ? AND status = 'quarantined' RETURNING " + COLUMNS)) {
                ps.setString(1, clip(reason));
                ps.setString(2, batchId);
                return single(ps);
            }
        });
        rejected.ifPresent(this::notifyFinished);
        return rejected;
    }

    @Override
    public Optional<BatchSummary> find(String batchId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM caravan.batch WHERE batch_id = ?",
                (rs, n) -> summary(rs), batchId).stream().findFirst();
    }

    @Override
    public List<BatchSummary> recent(String routeId, String partnerId, String status, int limit) {
        requirePositive(limit);
        return jdbc.query("SELECT " + COLUMNS + " FROM caravan.batch"
                        + " WHERE (?::text IS NULL OR route_id = ?) AND (?::text IS NULL OR partner_id = ?)"
                        + " AND (?::text IS NULL OR status = ?)"
                        + " ORDER BY started_at DESC, batch_id DESC LIMIT ?",
                (rs, n) -> summary(rs), routeId, routeId, partnerId, partnerId, status, status, limit);
    }

    @Override
    public Optional<BatchSummary> lastOf(String routeId) {
        Objects.requireNonNull(routeId, "routeId");
        return jdbc.query("SELECT " + COLUMNS + " FROM caravan.batch WHERE route_id = ?"
                + " ORDER BY started_at DESC, batch_id DESC LIMIT 1", (rs, n) -> summary(rs), routeId)
                .stream().findFirst();
    }

    @Override
    public List<Rejection> rejections(String batchId, int limit) {
        return issues("caravan.rejection", batchId, limit);
    }

    @Override
    public List<Rejection> warnings(String batchId, int limit) {
        return issues("caravan.batch_warning", batchId, limit);
    }

    @Override
    public List<String> unmappedColumns(String batchId) {
        Objects.requireNonNull(batchId, "batchId");
        return jdbc.query("SELECT unmapped_columns FROM caravan.batch WHERE batch_id = ?", (rs, n) -> {
            java.sql.Array array = rs.getArray(1);
            if (array == null) {
                return List.<String>of();
            }
            try {
                return List.of((String[]) array.getArray());
            } finally {
                array.free();
            }
        }, batchId).stream().findFirst().orElse(List.of());
    }

    @Override
    public void addListener(BatchListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(BatchListener listener) {
        listeners.remove(listener);
    }

    /** How many listeners are registered (a run-now that ended must have removed its own). */
    public int listenerCount() {
        return listeners.size();
    }

    // ---------------------------------------------------------------------------------------
    // Statements the warehouse writer runs inside its own transaction
    // ---------------------------------------------------------------------------------------

    /** {@inheritDoc} */
    @Override
    public void ensureRunning(Connection connection, BatchContext batch) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO caravan.batch (batch_id, route_id, "
                + "connector_id, partner_id, source, started_at, status) VALUES (?, ?, ?, ?, ?, ?, 'running') "
                + "ON CONFLICT (batch_id) DO NOTHING")) {
            bindContext(ps, batch);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT status FROM caravan.batch WHERE batch_id = ? FOR UPDATE")) {
            ps.setString(1, batch.batchId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String status = rs.getString(1);
                if (!BatchSummary.RUNNING.equals(status)) {
                    throw new BatchNotRunningException(batch.batchId(), status);
                }
            }
        }
    }

    /** {@inheritDoc} One JDBC batch per table. */
    @Override
    public void appendIssues(Connection connection, List<Rejection> rejections, List<Rejection> warnings)
            throws SQLException {
        insertIssues(connection, "caravan.rejection", rejections);
        insertIssues(connection, "caravan.batch_warning", warnings);
    }

    /** {@inheritDoc} */
    @Override
    public BatchSummary complete(Connection connection, BatchContext batch, BatchCounts counts,
                                 String targetTable, Instant finishedAt) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE caravan.batch SET status = 'completed', "
                + "finished_at = ?, rows_in = ?, rows_delivered = ?, rows_rejected = ?, rows_consent_filtered = ?, "
                + "rows_suppressed = ?, rows_duplicate = ?, warnings = ?, target_table = ?, counters = ?::jsonb, "
                + "unmapped_columns = ?, error = NULL WHERE batch_id = ? AND status = 'running' RETURNING " + COLUMNS)) {
            int i = 0;
            ps.setObject(++i, utc(finishedAt));
            ps.setLong(++i, counts.rowsIn());
            ps.setLong(++i, counts.delivered());
            ps.setLong(++i, counts.rejected());
            ps.setLong(++i, counts.consentFiltered());
            ps.setLong(++i, counts.suppressed());
            ps.setLong(++i, counts.duplicate());
            ps.setLong(++i, counts.warnings());
            ps.setString(++i, targetTable);
            ps.setString(++i, countersJson(batch.counters()));
            ps.setArray(++i, connection.createArrayOf("text", batch.unmappedColumns().toArray()));
            ps.setString(++i, batch.batchId());
            return single(ps).orElseThrow(() -> new BatchNotRunningException(batch.batchId(), "missing or finished"));
        }
    }

    /** {@inheritDoc} */
    @Override
    public void notifyFinished(BatchSummary summary) {
        for (BatchListener listener : listeners) {
            try {
                listener.finished(summary);
            } catch (RuntimeException e) {
                LOG.warn("ledger listener {} failed on batch {} finished: {}", listener.getClass().getName(),
                        summary.batchId(), e.getClass().getName());
            }
        }
    }

    // ---------------------------------------------------------------------------------------

    private List<Rejection> issues(String table, String batchId, int limit) {
        requirePositive(limit);
        return jdbc.query("SELECT batch_id, row_number, field, reason FROM " + table
                        + " WHERE batch_id = ? ORDER BY row_number, field, reason LIMIT ?",
                (rs, n) -> new Rejection(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4)),
                batchId, limit);
    }

    private static void insertIssues(Connection connection, String table, List<Rejection> issues) throws SQLException {
        if (issues.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO " + table + " (batch_id, row_number, field, reason) VALUES (?, ?, ?, ?)")) {
            for (Rejection issue : issues) {
                ps.setString(1, issue.batchId());
                ps.setLong(2, issue.rowNumber());
                ps.setString(3, issue.field());
                ps.setString(4, issue.reason());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void bindContext(PreparedStatement ps, BatchContext batch) throws SQLException {
        ps.setString(1, batch.batchId());
        ps.setString(2, batch.routeId());
        ps.setString(3, batch.connectorId());
        ps.setString(4, batch.partnerId());
        ps.setString(5, batch.source());
        ps.setObject(6, utc(batch.startedAt()));
    }

    private static Optional<BatchSummary> single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(summary(rs)) : Optional.empty();
        }
    }

    /** Maps a row selected with {@link #COLUMNS}. */
    private static BatchSummary summary(ResultSet rs) throws SQLException {
        return new BatchSummary(rs.getString("batch_id"), rs.getString("route_id"), rs.getString("connector_id"),
                rs.getString("partner_id"), rs.getString("source"), instant(rs, "started_at"),
                instant(rs, "finished_at"), rs.getString("status"), rs.getLong("rows_in"),
                rs.getLong("rows_delivered"), rs.getLong("rows_rejected"), rs.getLong("rows_consent_filtered"),
                rs.getLong("rows_suppressed"), rs.getLong("rows_duplicate"), rs.getLong("warnings"),
                rs.getString("error"), rs.getString("replay_of"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static String clip(String reason) {
        if (reason == null || reason.isBlank()) {
            return "failed without a stated reason";
        }
        return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON - 1) + "…";
    }

    private static String countersJson(Map<String, Long> counters) {
        if (counters.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(counters);
        } catch (JacksonException e) {
            throw new IllegalStateException("could not encode the batch counters as JSON", e);
        }
    }

    private static void requirePositive(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} on a connection of its own in one transaction, committed when it returns. */
    private <T> T transaction(String task, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            DataAccessException translated = jdbc.getExceptionTranslator().translate(task, null, e);
            throw translated != null ? translated : new UncategorizedSQLException(task, null, e);
        }
    }

    /** Runs {@code work} on a connection of its own in autocommit mode (its own transaction). */
    private <T> T autocommit(String task, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            return work.run(c);
        } catch (SQLException e) {
            DataAccessException translated = jdbc.getExceptionTranslator().translate(task, null, e);
            throw translated != null ? translated : new UncategorizedSQLException(task, null, e);
        }
    }
}
