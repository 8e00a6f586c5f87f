package io.caravan.deliver;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The record of export runs, {@code caravan.export}: one row per run, {@code refused},
 * {@code running}, then {@code completed} or {@code failed} with a reason that names no value.
 * Export ids are {@code x-<yyyyMMdd-HHmmss, UTC>-<8 random hex digits>}. Each statement commits on
 * its own. Thread-safe; logs nothing.
 */
final class ExportRuns {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcTemplate jdbc;

    ExportRuns(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    }

    static String newExportId(Instant now) {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        return "x-" + ID_TIME.format(now) + "-" + HexFormat.of().formatHex(random);
    }

    void running(String exportId, Agreement agreement, String fileName, Instant startedAt) {
        jdbc.update("INSERT INTO caravan.export (export_id, partner_id, agreement_id, dataset, purpose, policy_id, "
                        + "transport, file_name, format, started_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')",
                exportId, agreement.partner(), agreement.id(), agreement.table(), agreement.purpose(), agreement.policy(),
                agreement.transport().kind(), fileName, agreement.format().extension(), utc(startedAt));
    }

    void refused(String exportId, String agreementId, String partner, String dataset, Instant at, String reason) {
        jdbc.update("INSERT INTO caravan.export (export_id, partner_id, agreement_id, dataset, started_at, finished_at, "
                + "status, error) VALUES (?, ?, ?, ?, ?, ?, 'refused', ?)", exportId, partner, agreementId, dataset,
                utc(at), utc(at), reason);
    }

    /** A run that was recorded running and then refused before anything was written (e.g. an audience too small). */
    void refusedRunning(String exportId, Instant at, String reason) {
        jdbc.update("UPDATE caravan.export SET status = 'refused', finished_at = ?, error = ? WHERE export_id = ?",
                utc(at), reason, exportId);
    }

    void keyId(String exportId, String keyId) {
        jdbc.update("UPDATE caravan.export SET key_id = ? WHERE export_id = ?", keyId, exportId);
    }

    void completed(String exportId, Instant finishedAt, long rows, long consentFiltered, long classFiltered,
                   String sha256) {
        jdbc.update("UPDATE caravan.export SET status = 'completed', finished_at = ?, rows_exported = ?, "
                        + "rows_consent_filtered = ?, rows_class_filtered = ?, sha256 = ? WHERE export_id = ?",
                utc(finishedAt), rows, consentFiltered, classFiltered, sha256, exportId);
    }

    /** Records what the k-anonymity gate did in a run (before it completes). */
    void kAnonymity(String exportId, KAnonymity.Outcome outcome) {
        jdbc.update("UPDATE caravan.export SET k_anonymity = ?, rows_k_generalised = ?, rows_k_suppressed = ?, "
                + "k_smallest_group = ? WHERE export_id = ?", outcome.k(), outcome.rowsGeneralised(),
                outcome.rowsSuppressed(), outcome.smallestGroup(), exportId);
    }

    /** Marks a run failed; {@code unlog}: its subjects were logged but the data file never reached the partner. */
    void failed(String exportId, Instant finishedAt, String reason, boolean unlog) {
        if (unlog) {
            jdbc.update("DELETE FROM caravan.export_log WHERE export_id = ?", exportId);
        }
        jdbc.update("UPDATE caravan.export SET status = 'failed', finished_at = ?, error = ? WHERE export_id = ?",
                utc(finishedAt), reason, exportId);
    }

    /** Recent runs, newest first; a null filter matches everything. */
    List<Exporter.ExportRecord> recent(String partnerId, String agreementId, String status, int limit) {
        return jdbc.query("SELECT * FROM caravan.export WHERE (?::text IS NULL OR partner_id = ?) "
                        + "AND (?::text IS NULL OR agreement_id = ?) AND (?::text IS NULL OR status = ?) "
                        + "ORDER BY started_at DESC, export_id DESC LIMIT ?",
                (rs, n) -> new Exporter.ExportRecord(rs.getString("export_id"), rs.getString("partner_id"),
                        rs.getString("agreement_id"), rs.getString("dataset"), rs.getString("purpose"),
                        rs.getString("policy_id"), rs.getString("key_id"), rs.getString("transport"),
                        rs.getString("file_name"), rs.getString("format"), rs.getLong("rows_exported"),
                        rs.getLong("rows_consent_filtered"), rs.getLong("rows_class_filtered"), rs.getString("sha256"), instant(rs, "started_at"),
                        instant(rs, "finished_at"), rs.getString("status"), rs.getString("error")),
                partnerId, partnerId, agreementId, agreementId, status, status, limit);
    }

    static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
