package io.caravan.privacy;

import io.caravan.error.SafeMessage;
import io.caravan.audit.AuditTrail;
import io.caravan.pseudonymise.IdentitySeal;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The re-key job: moves every stored warehouse token to the domain's active key, so that a
 * retired key can then be destroyed while returning subjects still match.
 *
 * <p>Contract. {@link #rekey} for {@value KeyRing#WAREHOUSE}, in <em>one</em> transaction (an
 * export or erasure sees all rows and history before the move or all after it, never a mix):
 * <ol>
 *   <li>every record-table row whose {@code key_id} is not the active key and that carries a
 *       {@linkplain IdentitySeal seal}: the seal is opened, every {@code *_token} column is
 *       recomputed from the normalised value behind it with the active key, and {@code key_id}
 *       set to it. Where the row's old key is still readable, each old token is first checked
 *       against the seal (a seal that does not belong to its row is never used). Each chunk is
 *       staged in a temporary table and applied with one {@code UPDATE ... FROM}; the old → new
 *       pairs of subject tokens are kept in another (tokens only);</li>
 *   <li>consent events not under the active key: those with a sealed identifier are recomputed
 *       the same way; the others (given by token) are moved through the pairs of step 1;</li>
 *   <li>the export log is moved through the same pairs (so erasure still lists the partners to
 *       notify).</li>
 * </ol>
 * What cannot be moved stays under its old key and is counted under {@code left}, per table:
 * rows without a seal (written before the vault existed) or whose seal does not open or match,
 * history and log entries of subjects with no moved row. {@code DELETE /api/keys} keeps refusing
 * to destroy a key while anything names it. The job is idempotent (a second run moves nothing)
 * and runs once at a time (a PostgreSQL advisory lock). Memory stays constant: rows are streamed
 * and updated in chunks. Partner key domains store no tokens (partner tokens are made at export
 * time), so there is nothing to move; the suppression domain keeps no seals by design, so it
 * cannot be re-keyed (its retired keys stay readable).
 *
 * <p>Logs counts and key ids only; never a value, token or seal. Thread-safe.
 */
public final class Rekeyer {
    private static final Logger LOG = LoggerFactory.getLogger(Rekeyer.class);
    private static final int CHUNK = 1000;
    /** Advisory lock key of the job: one run at a time, across instances. */
    private static final long LOCK = 0x4341_5256_524b_4559L; // "CARVRKEY"
    private static final String MAP = "pg_temp.caravan_rekey_map";
    private static final String PAIR = "INSERT INTO " + MAP + " (old_token, new_token) VALUES (?, ?) ON CONFLICT DO NOTHING";
    private static final String ROWS = "pg_temp.caravan_rekey_rows";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final KeyRing keys;
    private final RecordTables tables;
    private final AuditTrail audit;

    Rekeyer(DataSource dataSource, KeyRing keys, AuditTrail audit) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.keys = Objects.requireNonNull(keys, "keys");
        this.tables = new RecordTables(dataSource);
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /**
     * What a run did: rows moved and rows left under another key, per table; seals that did not
     * open or did not match their row. No token, no value.
     */
    public record Result(String domain, String activeKey, Map<String, Long> moved, Map<String, Long> left,
                         long sealsRefused) {
    }

    /** Thrown when another re-key is running. */
    public static final class AlreadyRunning extends RuntimeException implements SafeMessage {
        AlreadyRunning() {
            super("a re-key job is already running");
        }
    }

    /**
     * Moves the domain's stored tokens to its active key (see the class contract) and audits the
     * run as {@code key_rekey}.
     *
     * @throws UnsupportedOperationException for the suppression domain
     * @throws AlreadyRunning while another run holds the lock
     */
    public Result rekey(String domain, String actor) {
        KeyRing.requireName("key domain", domain);
        if (KeyRing.SUPPRESSION.equals(domain)) {
            throw new UnsupportedOperationException("the suppression list keeps no identifiers, so its tokens cannot"
                    + " be re-keyed: retired suppression keys stay readable (erase a subject again to add it under"
                    + " the active key)");
        }
        Tokeniser active = keys.tokeniser(domain);
        Result result;
        if (!KeyRing.WAREHOUSE.equals(domain)) {
            // partner tokens are derived at export time and never stored: nothing names a partner key
            result = new Result(domain, active.keyId(), Map.of(), Map.of(), 0);
        } else {
            try {
                result = transactions.execute(status -> jdbc.execute((ConnectionCallback<Result>) con ->
                        rekeyWarehouse(con, active)));
            } catch (DataAccessException e) {
                String state = e.getMostSpecificCause() instanceof SQLException sql ? sql.getSQLState() : "unknown";
                throw new IllegalStateException("re-key of key domain " + domain + " failed: SQL state " + state
                        + " (nothing was changed)", e);
            }
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("domain", domain);
        detail.put("moved", result.moved());
        detail.put("left", result.left());
        detail.put("sealsRefused", result.sealsRefused());
        audit.record(actor, "key_rekey", active.keyId(), detail);
        LOG.info("Re-key of key domain {} to key {}: moved {}, left {}, seals refused {}", domain, active.keyId(),
                result.moved(), result.left(), result.sealsRefused());
        return result;
    }

    /** The warehouse re-key on the transaction's connection (see the class contract). */
    private Result rekeyWarehouse(Connection connection, Tokeniser active) throws SQLException {
        IdentitySeal seal = keys.identitySeal();
        Map<String, Long> moved = new TreeMap<>();
        Map<String, Long> left = new TreeMap<>();
        long[] refused = {0};
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, LOCK);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new AlreadyRunning();
                }
            }
        }
        try (Statement create = connection.createStatement()) {
            create.execute("CREATE TEMP TABLE caravan_rekey_map (old_token text PRIMARY KEY, new_token text NOT NULL)"
                    + " ON COMMIT DROP");
        }
        for (Map.Entry<String, Set<String>> table : tables.all().entrySet()) {
            Set<String> columns = table.getValue();
            if (!columns.contains("key_id") || !columns.contains(IdentitySeal.COLUMN)) {
                continue;
            }
            List<String> tokenColumns = columns.stream().filter(c -> c.endsWith("_token")).toList();
            moveRecords(connection, table.getKey(), tokenColumns, active, seal, moved, refused);
            left.put(table.getKey(), count(connection, "SELECT count(*) FROM caravan."
                    + RecordTables.quote(table.getKey()) + " WHERE key_id <> ?", active.keyId()));
        }
        moveConsentEvents(connection, active, seal, moved, refused);
        left.put("consent_event", count(connection,
                "SELECT count(*) FROM caravan.consent_event WHERE key_id <> ?", active.keyId()));
        moveExportLog(connection, active, moved);
        left.put("export_log", count(connection,
                "SELECT count(*) FROM caravan.export_log WHERE key_id <> ?", active.keyId()));
        left.values().removeIf(n -> n == 0);
        moved.values().removeIf(n -> n == 0);
        return new Result(KeyRing.WAREHOUSE, active.keyId(), moved, left, refused[0]);
    }

    /** Streams a record table's rows under other keys and rewrites their tokens in chunks. */
    private void moveRecords(Connection connection, String table, List<String> tokenColumns, Tokeniser active,
                             IdentitySeal seal, Map<String, Long> moved, long[] refused) throws SQLException {
        String quoted = "caravan." + RecordTables.quote(table);
        String select = "SELECT record_key, key_id, " + IdentitySeal.COLUMN + ", "
                + String.join(", ", tokenColumns.stream().map(RecordTables::quote).toList())
                + " FROM " + quoted + " WHERE key_id <> ? AND " + IdentitySeal.COLUMN + " IS NOT NULL";
        // each chunk is staged in a temporary table and applied with one UPDATE ... FROM
        List<String> staged = tokenColumns.stream().map(RecordTables::quote).toList();
        try (Statement create = connection.createStatement()) {
            create.execute("CREATE TEMP TABLE caravan_rekey_rows (record_key text NOT NULL, old_key text NOT NULL, "
                    + String.join(", ", staged.stream().map(c -> c + " text").toList()) + ") ON COMMIT DROP");
        }
        String stage = "INSERT INTO " + ROWS + " (record_key, old_key, " + String.join(", ", staged) + ") VALUES (?, ?"
                + ", ?".repeat(staged.size()) + ")";
        String apply = "UPDATE " + quoted + " t SET " + String.join(", ", staged.stream().map(c -> c + " = r." + c).toList())
                + ", key_id = ? FROM " + ROWS + " r WHERE t.record_key = r.record_key AND t.key_id = r.old_key";
        long count = 0;
        try (PreparedStatement query = connection.prepareStatement(select);
             PreparedStatement updates = connection.prepareStatement(stage);
             PreparedStatement applies = connection.prepareStatement(apply);
             PreparedStatement pairs = connection.prepareStatement(PAIR)) {
            query.setFetchSize(CHUNK);
            query.setString(1, active.keyId());
            int pending = 0;
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    String oldKey = rs.getString(2);
                    Map<String, String> values = open(seal, rs.getString(3));
                    Optional<Tokeniser> old = keys.byKeyId(oldKey);
                    List<String> fresh = new ArrayList<>(tokenColumns.size());
                    boolean usable = values != null;
                    for (int i = 0; usable && i < tokenColumns.size(); i++) {
                        String oldToken = rs.getString(4 + i);
                        String token = oldToken == null ? null
                                : recompute(values.get(tokenColumns.get(i)), oldToken, old, active);
                        usable = oldToken == null || token != null;
                        fresh.add(token);
                    }
                    if (!usable) {
                        refused[0]++;
                        continue;
                    }
                    updates.setString(1, rs.getString(1));
                    updates.setString(2, oldKey);
                    for (int i = 0; i < tokenColumns.size(); i++) {
                        updates.setString(i + 3, fresh.get(i));
                        String oldToken = rs.getString(4 + i);
                        // consent history and the export log are keyed by subject token: only those pairs are needed
                        if (oldToken != null && tokenColumns.get(i).equals(IdentitySeal.SUBJECT)) {
                            pairs.setString(1, oldToken);
                            pairs.setString(2, fresh.get(i));
                            pairs.addBatch();
                        }
                    }
                    updates.addBatch();
                    if (++pending == CHUNK) {
                        count += applyStaged(connection, updates, applies, active, pairs);
                        pending = 0;
                    }
                }
            }
            count += applyStaged(connection, updates, applies, active, pairs);
        }
        try (Statement drop = connection.createStatement()) {
            drop.execute("DROP TABLE " + ROWS);
        }
        moved.merge(table, count, Long::sum);
    }

    /** Consent events under other keys: sealed ones recomputed, the rest through the pairs. */
    private void moveConsentEvents(Connection connection, Tokeniser active, IdentitySeal seal,
                                   Map<String, Long> moved, long[] refused) throws SQLException {
        long count = 0;
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT event_id, key_id, subject_token, sealed_identifier FROM caravan.consent_event
                WHERE key_id <> ? AND sealed_identifier IS NOT NULL""");
             PreparedStatement updates = connection.prepareStatement(
                     "UPDATE caravan.consent_event SET subject_token = ?, key_id = ? WHERE event_id = ? AND key_id = ?");
             PreparedStatement pairs = connection.prepareStatement(PAIR)) {
            query.setFetchSize(CHUNK);
            query.setString(1, active.keyId());
            int pending = 0;
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> values = open(seal, rs.getString(4));
                    String fresh = values == null ? null
                            : recompute(values.get(IdentitySeal.SUBJECT), rs.getString(3), keys.byKeyId(rs.getString(2)), active);
                    if (fresh == null) {
                        refused[0]++;
                        continue;
                    }
                    updates.setString(1, fresh);
                    updates.setString(2, active.keyId());
                    updates.setString(3, rs.getString(1));
                    updates.setString(4, rs.getString(2));
                    updates.addBatch();
                    pairs.setString(1, rs.getString(3));
                    pairs.setString(2, fresh);
                    pairs.addBatch();
                    if (++pending == CHUNK) {
                        count += flush(updates, pairs);
                        pending = 0;
                    }
                }
            }
            count += flush(updates, pairs);
        }
        // events given by token (no seal, key possibly unknown): through the pairs of moved rows
        try (PreparedStatement statement = connection.prepareStatement("UPDATE caravan.consent_event e"
                + " SET subject_token = m.new_token, key_id = ? FROM " + MAP + " m"
                + " WHERE e.subject_token = m.old_token AND e.key_id IS DISTINCT FROM ?")) {
            statement.setString(1, active.keyId());
            statement.setString(2, active.keyId());
            count += statement.executeUpdate();
        }
        moved.merge("consent_event", count, Long::sum);
    }

    /** The export log through the pairs; an export that names the subject under both tokens keeps one entry. */
    private void moveExportLog(Connection connection, Tokeniser active, Map<String, Long> moved) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM caravan.export_log l USING " + MAP + " m"
                    + " WHERE l.subject_token = m.old_token AND EXISTS (SELECT 1 FROM caravan.export_log n"
                    + " WHERE n.export_id = l.export_id AND n.subject_token = m.new_token)");
        }
        try (PreparedStatement statement = connection.prepareStatement("UPDATE caravan.export_log l"
                + " SET subject_token = m.new_token, key_id = ? FROM " + MAP + " m WHERE l.subject_token = m.old_token")) {
            statement.setString(1, active.keyId());
            moved.merge("export_log", (long) statement.executeUpdate(), Long::sum);
        }
    }

    /**
     * The token of {@code value} under the active key, or null when the seal gave no value or,
     * where the old key is still readable, the value does not make {@code oldToken} under it (a
     * seal that does not belong to its row is never used).
     */
    private static String recompute(String value, String oldToken, Optional<Tokeniser> old, Tokeniser active) {
        if (value == null || (old.isPresent() && !old.get().token(value).equals(oldToken))) {
            return null;
        }
        return active.token(value);
    }

    private static Map<String, String> open(IdentitySeal seal, String sealed) {
        if (sealed == null) {
            return null;
        }
        try {
            return seal.open(sealed);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Stages a chunk's rows, moves them with one UPDATE, empties the stage; answers the rows moved. */
    private static long applyStaged(Connection connection, PreparedStatement stage, PreparedStatement apply,
                                    Tokeniser active, PreparedStatement pairs) throws SQLException {
        stage.executeBatch();
        apply.setString(1, active.keyId());
        long count = apply.executeUpdate();
        try (Statement truncate = connection.createStatement()) {
            truncate.execute("TRUNCATE " + ROWS);
        }
        pairs.executeBatch();
        return count;
    }

    private static long flush(PreparedStatement updates, PreparedStatement pairs) throws SQLException {
        long count = 0;
        for (int n : updates.executeBatch()) {
            count += Math.max(n, 0);
        }
        pairs.executeBatch();
        return count;
    }

    private static long count(Connection connection, String sql, String keyId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, keyId);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
