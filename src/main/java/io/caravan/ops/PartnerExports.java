package io.caravan.ops;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Exports sent to partners, per partner and sharing agreement, from {@code caravan.export}, with
 * the manifests of the newest exports (file, format, rows, SHA-256, policy). Key ids and subject
 * tokens are never read. Thread-safe.
 */
final class PartnerExports {
    private final JdbcTemplate jdbc;

    PartnerExports(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** What an export's manifest says, without its key id. */
    record Manifest(String exportId, String dataset, String fileName, String format, String transport, String policyId,
                    long rows, long rowsConsentFiltered, String sha256, String status, Instant startedAt,
                    Instant finishedAt) {
    }

    /**
     * @param completed  exports that completed
     * @param failed     exports that failed or were refused
     * @param rowsSent   rows of the completed exports
     * @param lastSentAt when the newest completed export finished (null when none)
     * @param recent     the newest manifests, newest first
     */
    record Agreement(String partnerId, String agreementId, long completed, long failed, long rowsSent,
                     Instant lastSentAt, List<Manifest> recent) {
    }

    /** Every partner and agreement with exports, by partner then agreement; {@code recent} manifests each. */
    List<Agreement> agreements(String partner, int recent) {
        String where = partner == null ? "" : " WHERE partner_id = ?";
        Object[] args = partner == null ? new Object[0] : new Object[] {partner};
        Map<String, Agreement> byKey = new LinkedHashMap<>();
        jdbc.query("""
                SELECT partner_id, agreement_id,
                       count(*) FILTER (WHERE status = 'completed'),
                       count(*) FILTER (WHERE status IN ('failed', 'refused')),
                       coalesce(sum(rows_exported) FILTER (WHERE status = 'completed'), 0),
                       max(finished_at) FILTER (WHERE status = 'completed')
                  FROM caravan.export""" + where + " GROUP BY 1, 2 ORDER BY 1, 2",
                rs -> {
                    byKey.put(rs.getString(1) + '\u0000' + rs.getString(2), new Agreement(rs.getString(1), rs.getString(2),
                            rs.getLong(3), rs.getLong(4), rs.getLong(5), instant(rs, 6), new ArrayList<>()));
                }, args);
        jdbc.query("""
                SELECT * FROM (
                  SELECT export_id, partner_id, agreement_id, dataset, file_name, format, transport, policy_id,
                         rows_exported, rows_consent_filtered, sha256, status, started_at, finished_at,
                         row_number() OVER (PARTITION BY partner_id, agreement_id ORDER BY started_at DESC, export_id DESC) AS n
                    FROM caravan.export""" + where + ") e WHERE n <= " + recent + " ORDER BY partner_id, agreement_id, n",
                rs -> {
                    Agreement agreement = byKey.get(rs.getString("partner_id") + '\u0000' + rs.getString("agreement_id"));
                    if (agreement != null) {
                        agreement.recent().add(new Manifest(rs.getString("export_id"), rs.getString("dataset"),
                                rs.getString("file_name"), rs.getString("format"), rs.getString("transport"),
                                rs.getString("policy_id"), rs.getLong("rows_exported"), rs.getLong("rows_consent_filtered"),
                                rs.getString("sha256"), rs.getString("status"), instant(rs, 13), instant(rs, 14)));
                    }
                }, args);
        return byKey.values().stream()
                .map(a -> new Agreement(a.partnerId(), a.agreementId(), a.completed(), a.failed(), a.rowsSent(),
                        a.lastSentAt(), List.copyOf(a.recent())))
                .toList();
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }
}
