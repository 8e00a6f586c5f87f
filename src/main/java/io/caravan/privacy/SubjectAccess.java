package io.caravan.privacy;

import io.caravan.audit.AuditTrail;
import io.caravan.pseudonymise.ArchiveRetention;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The subject access report (Art. 15; issue 13): what Caravan holds about one identifier, found
 * from its tokens only (under every readable warehouse key, as {@link Erasure} does; never by
 * decrypting). Answers per record table the rows as stored (tokens, generalised values, dates,
 * amounts; encrypted and sealed columns are left out), the consent history per purpose, the source
 * batches and partners, the recipients from the export log and the kept files still holding it
 * with their shred date (of the source batches and of every batch whose consent step saw the
 * identifier, {@code caravan.batch_subject}, also where its row was filtered, suppressed or a
 * duplicate). The only raw value in the answer is the identifier asked about. Audited
 * as {@code subject_access} with the identifier's kind and the counts, never the value.
 */
final class SubjectAccess {
    private final JdbcTemplate jdbc;
    private final KeyRing keys;
    private final AuditTrail audit;
    private final ArchiveRetention retention;
    private final RecordTables tables;

    SubjectAccess(DataSource dataSource, KeyRing keys, AuditTrail audit, ArchiveRetention retention) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.keys = Objects.requireNonNull(keys, "keys");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.tables = new RecordTables(dataSource);
    }

    /** The report. {@link #toString()} never shows the identifier. */
    record Report(String reportId, String kind, String identifier, Map<String, List<Map<String, Object>>> records,
                  Map<String, List<Map<String, Object>>> consents, List<Map<String, Object>> sources,
                  List<Map<String, Object>> recipients, List<Map<String, Object>> archives) {
        @Override
        public String toString() {
            return "Report[" + reportId + ", " + kind + "]";
        }
    }

    Report report(SubjectIdentifier identifier, String actor) {
        Set<String> tokens = new LinkedHashSet<>();
        for (Tokeniser key : keys.readable(KeyRing.WAREHOUSE)) {
            tokens.add(key.token(identifier.value()));
        }
        Map<String, List<Map<String, Object>>> records = new LinkedHashMap<>();
        Set<String> batches = new LinkedHashSet<>();
        for (Map.Entry<String, Set<String>> table : tables.all().entrySet()) {
            List<String> columns = RecordTables.tokenColumns(table.getValue());
            if (columns.isEmpty()) {
                continue;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Map<String, Object> row : query("SELECT * FROM caravan." + RecordTables.quote(table.getKey())
                    + " WHERE " + anyOf(columns, tokens.size()) + " ORDER BY record_key", tokens, columns.size())) {
                Object batch = row.get("batch_id");
                if (batch != null) {
                    batches.add(batch.toString());
                }
                rows.add(stored(row));
            }
            if (!rows.isEmpty()) {
                records.put(table.getKey(), rows);
            }
        }
        Map<String, List<Map<String, Object>>> consents = new LinkedHashMap<>();
        for (Map<String, Object> event : query("""
                SELECT purpose, status, basis, captured_at, source FROM caravan.consent_event
                WHERE subject_token IN (%s) ORDER BY purpose, captured_at, event_id""".formatted(marks(tokens.size())),
                tokens, 1)) {
            consents.computeIfAbsent((String) event.remove("purpose"), p -> new ArrayList<>()).add(stored(event));
        }
        List<Map<String, Object>> sources = batches.isEmpty() ? List.of() : query("""
                SELECT batch_id, partner_id, route_id, connector_id, started_at, status, replay_of FROM caravan.batch
                WHERE batch_id IN (%s) ORDER BY started_at, batch_id""".formatted(marks(batches.size())), batches, 1)
                .stream().map(SubjectAccess::stored).toList();
        List<Map<String, Object>> recipients = query("""
                SELECT DISTINCT partner_id, agreement_id, export_id, exported_at FROM caravan.export_log
                WHERE subject_token IN (%s) ORDER BY exported_at, export_id""".formatted(marks(tokens.size())), tokens, 1)
                .stream().map(SubjectAccess::stored).toList();
        // the kept files: of the batches above and of every batch that saw the identifier (filtered, suppressed, duplicate)
        Set<String> seenIn = new LinkedHashSet<>(batches);
        List<String> suppressionTokens = keys.readable(KeyRing.SUPPRESSION).stream()
                .map(key -> key.token(identifier.value())).toList();
        query("SELECT DISTINCT batch_id FROM caravan.batch_subject WHERE token IN (%s) ORDER BY batch_id"
                .formatted(marks(suppressionTokens.size())), suppressionTokens, 1)
                .forEach(row -> seenIn.add((String) row.get("batch_id")));
        List<Map<String, Object>> archives = new ArrayList<>();
        if (!seenIn.isEmpty()) {
            for (Map<String, Object> kept : query("""
                    SELECT archive_id, batch_id, partner, created_at FROM caravan.archive
                    WHERE shredded_at IS NULL AND batch_id IN (%s) ORDER BY created_at""".formatted(marks(seenIn.size())),
                    seenIn, 1)) {
                Instant created = ((Timestamp) kept.get("created_at")).toInstant();
                Map<String, Object> out = stored(kept);
                out.put("shred_at", created.plus(retention.of((String) kept.get("partner"))).toString());
                archives.add(out);
            }
        }
        String reportId = "sar-" + UUID.randomUUID();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("identifier", identifier.kind());
        Map<String, Integer> counts = new LinkedHashMap<>();
        records.forEach((table, rows) -> counts.put(table, rows.size()));
        detail.put("rows", counts);
        detail.put("consentEvents", consents.values().stream().mapToInt(List::size).sum());
        detail.put("recipients", recipients.size());
        detail.put("archives", archives.size());
        audit.record(actor, "subject_access", reportId, detail);
        return new Report(reportId, identifier.kind(), identifier.value(), records, consents, sources, recipients,
                archives);
    }

    private List<Map<String, Object>> query(String sql, Collection<String> values, int times) {
        List<Object> args = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            args.addAll(values);
        }
        return jdbc.queryForList(sql, args.toArray());
    }

    private static String anyOf(List<String> columns, int tokens) {
        List<String> parts = new ArrayList<>();
        for (String column : columns) {
            parts.add(RecordTables.quote(column) + " IN (" + marks(tokens) + ")");
        }
        return String.join(" OR ", parts);
    }

    private static String marks(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    /** A row as stored, for JSON: encrypted and sealed (binary) columns left out, dates as ISO text. */
    private static Map<String, Object> stored(Map<String, Object> row) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((column, value) -> {
            if (value == null || value instanceof Number || value instanceof Boolean || value instanceof String) {
                out.put(column, value);
            } else if (value instanceof Timestamp timestamp) {
                out.put(column, timestamp.toInstant().toString());
            } else if (!(value instanceof byte[])) {
                out.put(column, value.toString());
            }
        });
        out.keySet().removeIf(column -> column.endsWith("_enc") || column.startsWith("sealed_"));
        return out;
    }
}
