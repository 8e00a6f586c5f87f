package io.caravan.privacy;

import io.caravan.audit.AuditTrail;
import io.caravan.pseudonymise.Archive;
import io.caravan.pseudonymise.IdentitySeal;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Erasure of a data subject (GDPR Art. 17) with the notification list of Art. 19.
 *
 * <p>Contract. Given the subject's normalised identifier, {@link #erase}:
 * <ol>
 *   <li>tokenises it with every readable {@code warehouse} key (active and retired), so rows made
 *       before a key rotation are found too;</li>
 *   <li>widens the set with the other tokens ({@code email_token}, {@code phone_token},
 *       {@code subject_token}) of every matching row of every record table, until no new token
 *       appears, so a subject known by e-mail in one file and by phone in another is covered as
 *       one person;</li>
 *   <li>deletes every record-table row carrying one of those tokens, and the subject's consent
 *       history ({@code consent_event});</li>
 *   <li>adds the subject's e-mail addresses and phone numbers (the one given, and those the
 *       deleted rows' {@linkplain io.caravan.pseudonymise.IdentitySeal sealed identifiers} name)
 *       to {@code caravan.suppression} as tokens of the {@code suppression} key domain (the
 *       consent step then counts later rows of the subject {@code rows_suppressed}); the seals go
 *       with their rows, so nothing reversible of the subject is left;</li>
 *   <li>lists the exports that carried the subject ({@code caravan.export_log}, kept: it is the
 *       record of the disclosures to notify), by token and by the ids of earlier erasures of the
 *       same person (found through the suppression list); its entries are marked with the erasure
 *       and taken off the warehouse key, so they are found again whatever key made them and never
 *       hold a key back from destruction;</li>
 *   <li>audits the erasure with its own id, the counts and the partners, no identifier or token;</li>
 *   <li>after the commit, crypto-shreds the kept partner files ({@link Archive}) of every batch
 *       that carried the subject, never by decrypting: the batches that wrote the deleted rows
 *       (their {@code batch_id}) and every batch whose consent step saw one of the subject's
 *       e-mail addresses or phone numbers ({@code caravan.batch_subject}, suppression-domain
 *       tokens: rows delivered, unchanged re-deliveries, consent-filtered, suppressed or
 *       rejected), and the replays of those; each under the batch's lock (a replay of it is
 *       serialised with the shred), audited as {@code archive_shred} with the erasure id and listed
 *       in the answer. The subject's sightings of batches with no file left are then deleted.</li>
 * </ol>
 * Steps 1 to 6 in one transaction. Idempotent: a second erasure deletes nothing and lists the same
 * partners. Thread-safe; logs nothing about the subject.
 */
final class Erasure {
    private static final int MAX_WIDENING = 10;

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final KeyRing keys;
    private final RecordTables tables;
    private final AuditTrail audit;
    private final Archive archive;
    /** Whether erased record keys are queued for the data products' erasure events (#16). */
    private final boolean dataProductOutbox;

    Erasure(DataSource dataSource, KeyRing keys, AuditTrail audit, Archive archive) {
        this(dataSource, keys, audit, archive, false);
    }

    Erasure(DataSource dataSource, KeyRing keys, AuditTrail audit, Archive archive, boolean dataProductOutbox) {
        this.dataProductOutbox = dataProductOutbox;
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.jdbc = new JdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.keys = Objects.requireNonNull(keys, "keys");
        this.tables = new RecordTables(dataSource);
        this.audit = Objects.requireNonNull(audit, "audit");
        this.archive = Objects.requireNonNull(archive, "archive");
    }

    /** One export that carried the subject. */
    public record Disclosure(String partnerId, String agreementId, String exportId, Instant exportedAt) {
    }

    /** What an erasure did. Holds no identifier and no token. */
    public record Result(String erasureId, Map<String, Long> rowsDeleted, long consentEventsDeleted,
                         long tokensSuppressed, List<Disclosure> partners, List<Archive.Shredded> archivesShredded) {
    }

    /**
     * Erases the subject of one normalised identifier (see {@link io.caravan.pseudonymise.Identifiers}).
     *
     * @param kind  {@code email} or {@code phone}, for the audit (not the value)
     * @param actor who asked
     */
    public Result erase(String normalisedIdentifier, String kind, String actor) {
        Objects.requireNonNull(normalisedIdentifier, "normalisedIdentifier");
        String erasureId = "erasure-" + UUID.randomUUID();
        Set<String> batches = new LinkedHashSet<>();
        List<String> sightingTokens = new ArrayList<>();
        Result erased = transactions.execute(status -> {
            Map<String, String> tokens = new LinkedHashMap<>(); // token → key id (null when unknown)
            for (Tokeniser key : keys.readable(KeyRing.WAREHOUSE)) {
                tokens.putIfAbsent(key.token(normalisedIdentifier), key.keyId());
            }
            Map<String, Set<String>> recordTables = tables.all();
            Set<String> identifiers = new LinkedHashSet<>(List.of(normalisedIdentifier));
            int unreadableSeals = widen(tokens, identifiers, recordTables);

            Map<String, Long> deleted = new LinkedHashMap<>();
            for (Map.Entry<String, Set<String>> table : recordTables.entrySet()) {
                List<String> columns = RecordTables.tokenColumns(table.getValue());
                if (columns.isEmpty()) {
                    continue;
                }
                if (table.getValue().contains("batch_id")) {
                    batches.addAll(query("SELECT DISTINCT batch_id FROM caravan." + RecordTables.quote(table.getKey())
                            + " WHERE batch_id IS NOT NULL AND (" + anyOf(columns) + ")", tokens.keySet(), columns.size(),
                            rs -> rs.getString(1)));
                }
                if (dataProductOutbox && table.getValue().contains("record_key")) {
                    // in this transaction: the data products publish an erasure event per deleted record
                    update("INSERT INTO caravan.data_product_outbox (kind, table_name, record_key)"
                            + " SELECT 'erasure', '" + table.getKey().replace("'", "''") + "', record_key FROM caravan."
                            + RecordTables.quote(table.getKey()) + " WHERE " + anyOf(columns), tokens.keySet(),
                            columns.size());
                }
                deleted.put(table.getKey(), (long) update("DELETE FROM caravan." + RecordTables.quote(table.getKey())
                        + " WHERE " + anyOf(columns), tokens.keySet(), columns.size()));
            }
            long consents = update("DELETE FROM caravan.consent_event WHERE subject_token = ANY(?)", tokens.keySet(), 1);
            // earlier erasures of the same person (found by any of its identifiers on the suppression list)
            List<String> suppressionTokens = new ArrayList<>();
            for (Tokeniser key : keys.readable(KeyRing.SUPPRESSION)) {
                identifiers.forEach(identifier -> suppressionTokens.add(key.token(identifier)));
            }
            // every batch that saw the subject (delivered, duplicate, filtered, suppressed, rejected): its kept file is shredded
            batches.addAll(query("SELECT DISTINCT batch_id FROM caravan.batch_subject WHERE token = ANY(?)",
                    suppressionTokens, rs -> rs.getString(1)));
            sightingTokens.addAll(suppressionTokens);
            Set<String> erasures = new LinkedHashSet<>(query("""
                    SELECT DISTINCT erasure_id FROM caravan.suppression WHERE token = ANY(?) AND erasure_id IS NOT NULL""",
                    suppressionTokens, rs -> rs.getString(1)));
            erasures.add(erasureId);
            long suppressed = 0;
            Tokeniser suppression = keys.tokeniser(KeyRing.SUPPRESSION);
            for (String identifier : identifiers) {
                suppressed += jdbc.update("""
                        INSERT INTO caravan.suppression (token, key_id, erasure_id) VALUES (?, ?, ?)
                        ON CONFLICT (token) DO NOTHING""", suppression.token(identifier), suppression.keyId(), erasureId);
            }
            // the disclosures stay (Art. 19), marked with the erasure and off the warehouse key
            jdbc.execute((ConnectionCallback<Integer>) con -> {
                try (PreparedStatement statement = con.prepareStatement(
                        "UPDATE caravan.export_log SET erasure_id = COALESCE(erasure_id, ?), key_id = NULL"
                                + " WHERE subject_token = ANY(?)")) {
                    statement.setString(1, erasureId);
                    statement.setArray(2, con.createArrayOf("text", tokens.keySet().toArray()));
                    return statement.executeUpdate();
                }
            });
            List<Disclosure> partners = jdbc.execute((ConnectionCallback<List<Disclosure>>) con -> {
                List<Disclosure> out = new ArrayList<>();
                try (PreparedStatement statement = con.prepareStatement("""
                        SELECT DISTINCT partner_id, agreement_id, export_id, exported_at FROM caravan.export_log
                        WHERE subject_token = ANY(?) OR erasure_id = ANY(?) ORDER BY exported_at, export_id""")) {
                    statement.setArray(1, con.createArrayOf("text", tokens.keySet().toArray()));
                    statement.setArray(2, con.createArrayOf("text", erasures.toArray()));
                    try (java.sql.ResultSet rs = statement.executeQuery()) {
                        while (rs.next()) {
                            out.add(new Disclosure(rs.getString(1), rs.getString(2), rs.getString(3),
                                    rs.getTimestamp(4).toInstant()));
                        }
                    }
                }
                return out;
            });
            // de-duplicate per export (one subject may appear under two tokens of one export)
            Map<String, Disclosure> byExport = new LinkedHashMap<>();
            partners.forEach(d -> byExport.putIfAbsent(d.exportId(), d));
            Result result = new Result(erasureId, deleted, consents, suppressed, List.copyOf(byExport.values()), List.of());

            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("identifier", kind);
            detail.put("rowsDeleted", deleted);
            detail.put("consentEventsDeleted", consents);
            detail.put("tokensSuppressed", suppressed);
            if (unreadableSeals > 0) {
                detail.put("sealsNotOpened", unreadableSeals);
            }
            detail.put("partners", byExport.values().stream().map(Disclosure::partnerId).distinct().sorted().toList());
            detail.put("exports", byExport.size());
            detail.put("batches", batches.size());
            audit.record(actor, "erasure", erasureId, detail);
            return result;
        });
        // after the commit: the kept files of the batches that delivered the deleted rows are crypto-shredded
        List<Archive.Shredded> shredded = archive.shredBatches(batches, erasureId);
        for (Archive.Shredded file : shredded) {
            Map<String, Object> detail = RetentionPurge.shredDetail(file);
            detail.put("reason", "erasure");
            detail.put("erasureId", erasureId);
            audit.record(actor, "archive_shred", file.archiveId().toString(), detail);
        }
        // the subject's sightings go with the files they pointed to (those still kept stay findable)
        if (!sightingTokens.isEmpty()) {
            update("""
                    DELETE FROM caravan.batch_subject s WHERE s.token = ANY(?) AND NOT EXISTS (SELECT 1 FROM caravan.archive a
                        WHERE a.batch_id = s.batch_id AND a.shredded_at IS NULL)""", sightingTokens, 1);
        }
        return new Result(erased.erasureId(), erased.rowsDeleted(), erased.consentEventsDeleted(),
                erased.tokensSuppressed(), erased.partners(), shredded);
    }

    /**
     * Adds the other tokens of matching rows until none is new, and the e-mail addresses and phone
     * numbers their seals name to {@code identifiers}; answers how many seals did not open (the
     * vault keyset was replaced; their identifiers cannot be suppressed).
     */
    private int widen(Map<String, String> tokens, Set<String> identifiers, Map<String, Set<String>> recordTables) {
        IdentitySeal seal = keys.identitySeal();
        Set<String> seals = new LinkedHashSet<>();
        for (int round = 0; round < MAX_WIDENING; round++) {
            int before = tokens.size();
            for (Map.Entry<String, Set<String>> table : recordTables.entrySet()) {
                List<String> columns = RecordTables.tokenColumns(table.getValue());
                if (columns.isEmpty()) {
                    continue;
                }
                boolean hasKeyId = table.getValue().contains("key_id");
                boolean hasSeal = table.getValue().contains(IdentitySeal.COLUMN);
                String sql = "SELECT " + String.join(", ", columns.stream().map(RecordTables::quote).toList())
                        + (hasKeyId ? ", key_id" : ", NULL") + (hasSeal ? ", " + IdentitySeal.COLUMN : ", NULL")
                        + " FROM caravan." + RecordTables.quote(table.getKey()) + " WHERE " + anyOf(columns);
                query(sql, tokens.keySet(), columns.size(), rs -> {
                    String keyId = rs.getString(columns.size() + 1);
                    for (int i = 1; i <= columns.size(); i++) {
                        String token = rs.getString(i);
                        if (token != null) {
                            tokens.putIfAbsent(token, keyId);
                        }
                    }
                    String sealed = rs.getString(columns.size() + 2);
                    if (sealed != null) {
                        seals.add(sealed);
                    }
                    return null;
                });
            }
            if (tokens.size() == before) {
                break;
            }
        }
        int unreadable = 0;
        for (String sealed : seals) {
            try {
                seal.open(sealed).forEach((column, value) -> {
                    if (RecordTables.TOKEN_COLUMNS.contains(column)) {
                        identifiers.add(value);
                    }
                });
            } catch (IllegalArgumentException e) {
                unreadable++;
            }
        }
        return unreadable;
    }

    private static String anyOf(List<String> columns) {
        return String.join(" OR ", columns.stream().map(c -> RecordTables.quote(c) + " = ANY(?)").toList());
    }

    private int update(String sql, Collection<String> tokens, int parameters) {
        return jdbc.execute((ConnectionCallback<Integer>) con -> {
            try (PreparedStatement statement = bind(con, sql, tokens, parameters)) {
                return statement.executeUpdate();
            }
        });
    }

    private <T> List<T> query(String sql, Collection<String> tokens, RowFunction<T> mapper) {
        return query(sql, tokens, 1, mapper);
    }

    private <T> List<T> query(String sql, Collection<String> tokens, int parameters, RowFunction<T> mapper) {
        return jdbc.execute((ConnectionCallback<List<T>>) con -> {
            List<T> out = new ArrayList<>();
            try (PreparedStatement statement = bind(con, sql, tokens, parameters);
                 java.sql.ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    out.add(mapper.apply(rs));
                }
            }
            return out;
        });
    }

    private static PreparedStatement bind(Connection con, String sql, Collection<String> tokens, int parameters)
            throws SQLException {
        PreparedStatement statement = con.prepareStatement(sql);
        Array array = con.createArrayOf("text", new LinkedHashSet<>(tokens).toArray());
        for (int i = 1; i <= parameters; i++) {
            statement.setArray(i, array);
        }
        return statement;
    }

    @FunctionalInterface
    private interface RowFunction<T> {
        T apply(java.sql.ResultSet rs) throws SQLException;
    }
}
