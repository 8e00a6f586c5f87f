package io.caravan.audit;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The privacy audit trail, {@code caravan.audit_event}: one row per privacy-relevant action
 * (consent change, erasure, re-identification, key activation, re-key, key destruction, purge),
 * with the actor (an authenticated user name, or {@code system:<job>}) and the time.
 *
 * <p>Contract. Callers never pass a raw identifier, key material or a decrypted value, in
 * {@code subject} or {@code detail}: the subject is an id of Caravan's own (an erasure id, a
 * table and record key, a key id) and the detail holds counts, names and reasons. Appends take
 * part in the caller's transaction when there is one. Thread-safe; logs nothing.
 */
public final class AuditTrail {
    private static final String INSERT = """
            INSERT INTO caravan.audit_event (actor, action, subject, detail) VALUES (?, ?, ?, ?::jsonb)""";
    private static final String PAGE = """
            SELECT audit_id, occurred_at, actor, action, subject, detail::text AS detail
            FROM caravan.audit_event
            WHERE (?::text IS NULL OR action = ?) AND (?::bigint IS NULL OR audit_id < ?)
            ORDER BY audit_id DESC
            LIMIT ?""";

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public AuditTrail(DataSource dataSource, ObjectMapper json) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.json = Objects.requireNonNull(json, "json");
    }

    /** One audited action. */
    public record Entry(long auditId, Instant occurredAt, String actor, String action, String subject,
                        Map<String, Object> detail) {
    }

    /** Appends one entry; {@code detail} is stored as JSON (null for none). */
    public void record(String actor, String action, String subject, Map<String, ?> detail) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        String detailJson;
        try {
            detailJson = detail == null ? null : json.writeValueAsString(detail);
        } catch (JacksonException e) {
            throw new IllegalStateException("audit detail of " + action + " is not serialisable");
        }
        jdbc.update(INSERT, actor, action, subject, detailJson);
    }

    /**
     * Newest first: at most {@code limit} entries with an id below {@code before} (null: from the
     * newest), of one action (null: every action).
     */
    @SuppressWarnings("unchecked")
    public List<Entry> page(String action, Long before, int limit) {
        return jdbc.query(PAGE, (rs, n) -> {
            String detail = rs.getString("detail");
            Map<String, Object> parsed;
            try {
                parsed = detail == null ? null : json.readValue(detail, Map.class);
            } catch (JacksonException e) {
                parsed = Map.of("unreadable", true);
            }
            Timestamp at = rs.getTimestamp("occurred_at");
            return new Entry(rs.getLong("audit_id"), at.toInstant(), rs.getString("actor"), rs.getString("action"),
                    rs.getString("subject"), parsed);
        }, action, action, before, before, limit);
    }
}
