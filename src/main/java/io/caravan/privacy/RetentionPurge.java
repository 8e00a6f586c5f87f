package io.caravan.privacy;

import io.caravan.audit.AuditTrail;
import io.caravan.connector.DataClass;
import io.caravan.pseudonymise.Archive;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Retention: deletes rows older than their table's maximum age ({@code caravan.retention.tables}).
 *
 * <p>Age is measured by one column per table: record tables (those with a {@code record_key}) by
 * {@code ingested_at}, when the row was last written (a record a partner delivers again is
 * fresh again); {@code consent_event} by {@code captured_at}; {@code export_log} by
 * {@code exported_at}; {@code audit_event} by {@code occurred_at}. A configured table that is
 * none of these makes start-up fail with the property named. Rows of a data class with an age of
 * its own ({@code caravan.retention.classes.<class>}, e.g. zero-party data kept longer) are purged
 * by that age instead of their table's, in every record table. Each run deletes in one transaction
 * and audits what it deleted per table ({@code retention_purge}), also when nothing was old
 * enough.
 *
 * <p>Kept partner files ({@link Archive}) older than their partner's retention
 * ({@code caravan.retention.archive.*}, default 30 days) are crypto-shredded first: the wrapped data
 * key is deleted (committed), then the file. Each shredded file is audited ({@code archive_shred},
 * subject the archive id, detail batch, partner and route) and the purge's own audit entry counts
 * them. The sightings of a batch ({@code caravan.batch_subject}) follow its kept file: deleted once
 * the batch has no live archive (shredded, or none after {@link #SIGHTING_GRACE}). Thread-safe (runs are serialised). Logs table names and counts only.
 */
public final class RetentionPurge {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionPurge.class);
    /** How long the sightings of a batch without a kept file stay (a crash may archive its file at the next start). */
    static final Duration SIGHTING_GRACE = Duration.ofDays(1);
    private static final Map<String, String> OTHER_TABLES = Map.of(
            "consent_event", "captured_at", "export_log", "exported_at", "audit_event", "occurred_at");

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final AuditTrail audit;
    private final Map<String, Duration> maxAges;
    private final Map<DataClass, Duration> classMaxAges;
    private final RecordTables tables;
    private final Clock clock;
    private final Archive archive;

    /** What one run did: rows deleted per table, and the kept files it crypto-shredded. */
    public record Run(Map<String, Long> rowsDeleted, List<Archive.Shredded> archivesShredded) {
    }

    RetentionPurge(DataSource dataSource, AuditTrail audit, Map<String, Duration> maxAges, Clock clock, Archive archive) {
        this(dataSource, audit, maxAges, Map.of(), clock, archive);
    }

    RetentionPurge(DataSource dataSource, AuditTrail audit, Map<String, Duration> maxAges,
                   Map<DataClass, Duration> classMaxAges, Clock clock, Archive archive) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.audit = Objects.requireNonNull(audit, "audit");
        this.maxAges = Map.copyOf(maxAges);
        this.classMaxAges = Map.copyOf(classMaxAges);
        this.tables = new RecordTables(dataSource);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.archive = Objects.requireNonNull(archive, "archive");
        maxAges.forEach((table, age) -> {
            if (age.isNegative() || age.isZero()) {
                throw new IllegalArgumentException("caravan.retention.tables." + table + ": must be positive");
            }
        });
    }

    /** Checks every configured table against the catalogue (start-up). */
    void validate() {
        Set<String> recordTables = tables.all().keySet();
        for (String table : maxAges.keySet()) {
            if (!recordTables.contains(table) && !OTHER_TABLES.containsKey(table)) {
                throw new IllegalStateException("caravan.retention.tables." + table
                        + ": not a record table nor one of " + OTHER_TABLES.keySet());
            }
        }
    }

    /** The scheduled run (Quartz route {@code privacy-retention}). */
    public Run runScheduled() {
        return run(Actors.system("retention"));
    }

    /** Shreds the kept files and deletes the rows that are too old now; answers what it did. */
    public synchronized Run run(String actor) {
        List<Archive.Shredded> shredded = archive.shredExpired("retention");
        for (Archive.Shredded file : shredded) {
            audit.record(actor, "archive_shred", file.archiveId().toString(), shredDetail(file));
        }
        Map<String, Long> deleted = deleteRows(actor, shredded.size());
        return new Run(deleted, shredded);
    }

    /** The audit detail of one shredded file: names and times, never content. */
    static Map<String, Object> shredDetail(Archive.Shredded file) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("reason", "retention");
        detail.put("batchId", file.batchId());
        detail.put("partner", file.partner());
        detail.put("routeId", file.routeId());
        detail.put("archivedAt", file.createdAt().toString());
        return detail;
    }

    private Map<String, Long> deleteRows(String actor, int archivesShredded) {
        Instant now = clock.instant();
        Map<String, Set<String>> recordTables = tables.all();
        return transactions.execute(status -> {
            Map<String, Long> deleted = new LinkedHashMap<>();
            Map<String, Object> cutoffs = new LinkedHashMap<>();
            Set<String> purged = new java.util.TreeSet<>(maxAges.keySet());
            if (!classMaxAges.isEmpty()) {
                recordTables.forEach((table, columns) -> {
                    if (columns.contains("data_class")) {
                        purged.add(table);
                    }
                });
            }
            for (String table : purged) {
                Duration maxAge = maxAges.get(table);
                boolean byClass = !classMaxAges.isEmpty() && recordTables.getOrDefault(table, Set.of()).contains("data_class");
                String column = recordTables.containsKey(table) ? "ingested_at" : OTHER_TABLES.get(table);
                if (column == null) {
                    continue;
                }
                Instant cutoff = maxAge == null ? null : now.minus(maxAge);
                Map<String, Object> described = new LinkedHashMap<>();
                described.put("column", column);
                if (cutoff != null) {
                    described.put("before", cutoff.toString());
                    described.put("maxAge", maxAge.toString());
                }
                int rows;
                if (byClass) {
                    // a class's own age wins over its table's; a class with neither is kept
                    StringBuilder when = new StringBuilder("CASE data_class");
                    List<Object> args = new java.util.ArrayList<>();
                    Map<String, String> classCutoffs = new java.util.TreeMap<>();
                    classMaxAges.forEach((dataClass, age) -> {
                        when.append(" WHEN ? THEN ?::timestamptz");
                        args.add(dataClass.id());
                        args.add(Timestamp.from(now.minus(age)));
                        classCutoffs.put(dataClass.id(), now.minus(age).toString());
                    });
                    when.append(" ELSE ?::timestamptz END");
                    args.add(cutoff == null ? null : Timestamp.from(cutoff));
                    described.put("classes", classCutoffs);
                    rows = jdbc.update("DELETE FROM caravan." + RecordTables.quote(table) + " WHERE "
                            + RecordTables.quote(column) + " < " + when, args.toArray());
                } else {
                    rows = jdbc.update("DELETE FROM caravan." + RecordTables.quote(table) + " WHERE "
                            + RecordTables.quote(column) + " < ?", Timestamp.from(cutoff));
                }
                deleted.put(table, (long) rows);
                cutoffs.put(table, described);
            }
            // a batch's sightings live as long as its kept file (a day's grace for one not archived yet)
            int sightings = jdbc.update("""
                    DELETE FROM caravan.batch_subject s WHERE NOT EXISTS (SELECT 1 FROM caravan.archive a
                        WHERE a.batch_id = s.batch_id AND a.shredded_at IS NULL)
                      AND (s.seen_at < ? OR EXISTS (SELECT 1 FROM caravan.archive a WHERE a.batch_id = s.batch_id))""",
                    Timestamp.from(now.minus(SIGHTING_GRACE)));
            audit.record(actor, "retention_purge", null, Map.of("rowsDeleted", deleted, "cutoffs", cutoffs,
                    "archivesShredded", archivesShredded, "batchSubjectsDeleted", sightings));
            LOG.info("Retention purge by {}: {}; {} kept file(s) crypto-shredded", actor, deleted, archivesShredded);
            return deleted;
        });
    }
}
