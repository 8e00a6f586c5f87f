package io.caravan.governance;

import io.caravan.governance.RecordDiff.Change;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The stored versions of the record and their changes ({@code caravan.processing_record_version},
 * {@code caravan.processing_record_change}, migration {@code V21_1}). Thread-safe (the database
 * serialises writers; {@link ProcessingRecords} writes from one thread at a time).
 */
final class RecordVersions {
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    RecordVersions(JdbcTemplate jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /** A stored version, without its record. */
    record Version(long version, Instant recordedAt, String cause, String digest) {
    }

    /** One stored change with its version and time. */
    record StoredChange(long version, Instant changedAt, String cause, String activity, String kind, String detail,
                        String file) {
    }

    /** The newest version's digest and record JSON, if any. */
    Optional<String[]> latest() {
        return jdbc.query("SELECT digest, record::text FROM caravan.processing_record_version ORDER BY version DESC LIMIT 1",
                (rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).stream().findFirst();
    }

    /** Stores a version and its changes in one transaction; returns the version number. */
    long store(Instant at, String cause, String digest, String json, List<Change> changes) {
        return transactions.execute(status -> {
            Long version = jdbc.queryForObject("INSERT INTO caravan.processing_record_version (recorded_at, cause, digest, record)"
                    + " VALUES (?, ?, ?, ?::jsonb) RETURNING version", Long.class, Timestamp.from(at), cause, digest, json);
            for (Change change : changes) {
                jdbc.update("INSERT INTO caravan.processing_record_change (version, changed_at, activity, kind, detail, file)"
                        + " VALUES (?, ?, ?, ?, ?, ?)", version, Timestamp.from(at), change.activity(), change.kind(),
                        change.detail(), change.file());
            }
            return version;
        });
    }

    List<Version> versions() {
        return jdbc.query("SELECT version, recorded_at, cause, digest FROM caravan.processing_record_version ORDER BY version DESC",
                (rs, n) -> new Version(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4)));
    }

    /** The record JSON of one version. */
    Optional<String> record(long version) {
        return jdbc.query("SELECT record::text FROM caravan.processing_record_version WHERE version = ?",
                (rs, n) -> rs.getString(1), version).stream().findFirst();
    }

    /** Changes at or after {@code since}, oldest first. */
    List<StoredChange> changesSince(Instant since) {
        return jdbc.query("SELECT c.version, c.changed_at, v.cause, c.activity, c.kind, c.detail, c.file"
                        + " FROM caravan.processing_record_change c JOIN caravan.processing_record_version v USING (version)"
                        + " WHERE c.changed_at >= ? ORDER BY c.change_id",
                (rs, n) -> new StoredChange(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7)), Timestamp.from(since));
    }
}
