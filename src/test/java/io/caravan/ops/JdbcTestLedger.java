package io.caravan.ops;

import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.Ledger;
import io.caravan.ledger.Rejection;
import io.caravan.pipeline.BatchContext;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Test-only {@link Ledger} over the V1 ledger tables, enough for the ops API tests (the real
 * {@code JdbcLedger} is written elsewhere). Opening a batch inserts a running row and tells the
 * listeners.
 */
final class JdbcTestLedger implements Ledger {
    private static final String COLUMNS = "batch_id, route_id, connector_id, partner_id, source, started_at, finished_at, "
            + "status, rows_in, rows_delivered, rows_rejected, rows_consent_filtered, rows_suppressed, rows_duplicate, "
            + "warnings, error";

    private final JdbcTemplate jdbc;
    private final List<BatchListener> listeners = new CopyOnWriteArrayList<>();

    JdbcTestLedger(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void open(BatchContext batch) {
        jdbc.update("INSERT INTO caravan.batch (batch_id, route_id, connector_id, partner_id, source, started_at, status) "
                        + "VALUES (?, ?, ?, ?, ?, ?, 'running')",
                batch.batchId(), batch.routeId(), batch.connectorId(), batch.partnerId(), batch.source(),
                Timestamp.from(batch.startedAt()));
        listeners.forEach(l -> l.opened(batch));
    }

    @Override
    public void fail(String batchId, String reason) {
        jdbc.update("UPDATE caravan.batch SET status = 'failed', error = ?, finished_at = now() "
                + "WHERE batch_id = ? AND status <> 'completed'", reason, batchId);
    }

    @Override
    public Optional<BatchSummary> find(String batchId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM caravan.batch WHERE batch_id = ?", JdbcTestLedger::summary, batchId)
                .stream().findFirst();
    }

    @Override
    public List<BatchSummary> recent(String routeId, String partnerId, String status, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM caravan.batch WHERE true");
        List<Object> args = new ArrayList<>();
        if (routeId != null) {
            sql.append(" AND route_id = ?");
            args.add(routeId);
        }
        if (partnerId != null) {
            sql.append(" AND partner_id = ?");
            args.add(partnerId);
        }
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status);
        }
        sql.append(" ORDER BY started_at DESC, batch_id DESC LIMIT ?");
        args.add(limit);
        return jdbc.query(sql.toString(), JdbcTestLedger::summary, args.toArray());
    }

    @Override
    public Optional<BatchSummary> lastOf(String routeId) {
        return recent(routeId, null, null, 1).stream().findFirst();
    }

    @Override
    public List<Rejection> rejections(String batchId, int limit) {
        return problems("caravan.rejection", batchId, limit);
    }

    @Override
    public List<Rejection> warnings(String batchId, int limit) {
        return problems("caravan.batch_warning", batchId, limit);
    }

    private List<Rejection> problems(String table, String batchId, int limit) {
        return jdbc.query("SELECT batch_id, row_number, field, reason FROM " + table
                        + " WHERE batch_id = ? ORDER BY row_number LIMIT ?",
                (rs, i) -> new Rejection(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4)), batchId, limit);
    }

    @Override
    public void addListener(BatchListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(BatchListener listener) {
        listeners.remove(listener);
    }

    int listenerCount() {
        return listeners.size();
    }

    private static BatchSummary summary(ResultSet rs, int row) throws SQLException {
        return new BatchSummary(rs.getString("batch_id"), rs.getString("route_id"), rs.getString("connector_id"),
                rs.getString("partner_id"), rs.getString("source"), instant(rs, "started_at"),
                instant(rs, "finished_at"), rs.getString("status"), rs.getLong("rows_in"),
                rs.getLong("rows_delivered"), rs.getLong("rows_rejected"), rs.getLong("rows_consent_filtered"),
                rs.getLong("rows_suppressed"), rs.getLong("rows_duplicate"), rs.getLong("warnings"),
                rs.getString("error"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }
}
