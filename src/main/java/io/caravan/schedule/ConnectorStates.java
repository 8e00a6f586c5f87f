package io.caravan.schedule;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reads and writes {@code caravan.connector_state}. {@link #advance} is called by the fetch step
 * only after its batch committed, and never moves a watermark backwards; {@link #reset} is an
 * operator's change (any value, to re-sync a period) and is audited in {@code caravan.audit_event}
 * in the same transaction. Thread-safe; logs nothing.
 */
@Component
public class ConnectorStates {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RowMapper<ConnectorState> ROW = (rs, i) -> new ConnectorState(rs.getString("connector_id"),
            rs.getString("watermark"), rs.getString("cursor"), rs.getTimestamp("updated_at").toInstant(), rs.getString("updated_by"));

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    public ConnectorStates(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    public Optional<ConnectorState> find(String connectorId) {
        return jdbc.query("SELECT * FROM caravan.connector_state WHERE connector_id = ?", ROW, connectorId).stream().findFirst();
    }

    public List<ConnectorState> all() {
        return jdbc.query("SELECT * FROM caravan.connector_state ORDER BY connector_id", ROW);
    }

    /**
     * Stores a committed sync's new watermark (and cursor), if it is later than the stored one.
     *
     * @param isLater true when the first argument is later than the second (the connector's ordering)
     */
    public void advance(String connectorId, String watermark, String cursor, String by,
                        java.util.function.BiPredicate<String, String> isLater) {
        transactions.executeWithoutResult(tx -> {
            jdbc.update("INSERT INTO caravan.connector_state (connector_id) VALUES (?) ON CONFLICT DO NOTHING", connectorId);
            String stored = jdbc.queryForObject("SELECT watermark FROM caravan.connector_state WHERE connector_id = ? FOR UPDATE",
                    String.class, connectorId);
            if (stored == null || isLater.test(watermark, stored)) {
                jdbc.update("UPDATE caravan.connector_state SET watermark = ?, cursor = ?, updated_at = now(), updated_by = ? "
                        + "WHERE connector_id = ?", watermark, cursor, by, connectorId);
            }
        });
    }

    /** Sets the state as an operator asks (null clears it: the next sync starts from the beginning); audited. */
    public ConnectorState reset(String connectorId, String watermark, String cursor, String actor) {
        return transactions.execute(tx -> {
            Optional<ConnectorState> before = find(connectorId);
            jdbc.update("INSERT INTO caravan.connector_state (connector_id, watermark, cursor, updated_at, updated_by) "
                    + "VALUES (?, ?, ?, now(), ?) ON CONFLICT (connector_id) DO UPDATE SET watermark = EXCLUDED.watermark, "
                    + "cursor = EXCLUDED.cursor, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by",
                    connectorId, watermark, cursor, actor);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("watermarkBefore", before.map(ConnectorState::watermark).orElse(null));
            detail.put("watermark", watermark);
            detail.put("cursor", cursor);
            try {
                jdbc.update("INSERT INTO caravan.audit_event (actor, action, subject, detail) VALUES (?, 'connector_state.reset', ?, ?::jsonb)",
                        actor, connectorId, JSON.writeValueAsString(detail));
            } catch (JacksonException e) {
                throw new IllegalStateException("cannot write the audit detail", e);
            }
            return find(connectorId).orElseThrow();
        });
    }
}
