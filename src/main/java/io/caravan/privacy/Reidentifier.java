package io.caravan.privacy;

import io.caravan.audit.AuditTrail;
import io.caravan.api.ApiException;
import io.caravan.pseudonymise.KeyRing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Re-identification: decrypts one {@code <field>_enc} value (the {@code encrypt} action's
 * AES-SIV output) of one record, for an operator with a stated reason.
 *
 * <p>Contract. The table must be a record table and the column an {@code _enc} column of it (both
 * checked against the catalogue, never put into SQL from the request unchecked). The audit entry
 * ({@code reidentification}: actor, time, table, record key, field, reason) is written in the
 * same transaction as the read, before the value is returned: no audit, no value. The decrypted
 * value is answered to the caller only; it is never logged or stored.
 */
final class Reidentifier {
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final KeyRing keys;
    private final RecordTables tables;
    private final AuditTrail audit;

    Reidentifier(DataSource dataSource, KeyRing keys, AuditTrail audit) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.keys = Objects.requireNonNull(keys, "keys");
        this.tables = new RecordTables(dataSource);
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /**
     * @param field the canonical field ({@code email}) or its column ({@code email_enc})
     * @throws ApiException 400 naming {@code table}, {@code field} or {@code reason}; 404 for no such
     *                      record or no value
     */
    public String reidentify(String table, String recordKey, String field, String reason, String actor) {
        Map<String, Set<String>> all = tables.all();
        if (table == null || !all.containsKey(table)) {
            throw ApiException.badRequest("not a record table (known: " + all.keySet() + ")", "table");
        }
        if (recordKey == null || recordKey.isBlank() || recordKey.length() > 200) {
            throw ApiException.badRequest("recordKey is required (at most 200 characters)", "recordKey");
        }
        String canonical = field == null ? "" : field.endsWith("_enc") ? field.substring(0, field.length() - 4) : field;
        String column = canonical + "_enc";
        List<String> encrypted = all.get(table).stream().filter(c -> c.endsWith("_enc")).toList();
        if (canonical.isEmpty() || !encrypted.contains(column)) {
            throw ApiException.badRequest("not an encrypted field of " + table + " (encrypted: " + encrypted + ")", "field");
        }
        if (reason == null || reason.isBlank() || reason.length() > 500) {
            throw ApiException.badRequest("reason is required (at most 500 characters)", "reason");
        }
        return transactions.execute(status -> {
            List<String> values = jdbc.queryForList("SELECT " + RecordTables.quote(column) + " FROM caravan."
                    + RecordTables.quote(table) + " WHERE record_key = ?", String.class, recordKey);
            if (values.isEmpty()) {
                throw ApiException.notFound("no such record");
            }
            if (values.get(0) == null) {
                throw ApiException.notFound("the record has no value in " + column);
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("table", table);
            detail.put("recordKey", recordKey);
            detail.put("field", canonical);
            detail.put("reason", reason.strip());
            audit.record(actor, "reidentification", table + ":" + recordKey, detail);
            try {
                return keys.cipher().decrypt(canonical, values.get(0));
            } catch (IllegalArgumentException e) {
                // names the field, never the value
                throw ApiException.conflict("the stored value of " + column + " does not decrypt with the current keyset");
            }
        });
    }
}
