package io.caravan.deliver;

import io.caravan.consent.Purpose;
import io.caravan.consent.TokenConsent;
import io.caravan.pseudonymise.IdentitySeal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQL of an activation's {@link Activation.Segment}: built only from column and table names the
 * warehouse reports (validated by {@link AgreementRegistry}, quoted by {@link ExportQuery#quote}),
 * with every value from configuration, the time window's start and the purpose bound as
 * parameters; no text of a configuration file is concatenated into it. Consent for the purpose is
 * evaluated in the same statement ({@link TokenConsent}), at export time. Stateless.
 */
final class AudienceSegment {
    private static final String SUBJECT = ExportQuery.quote("subject_token");

    private final Activation.Segment segment;
    private final Purpose purpose;
    private final boolean hasKeyId;

    AudienceSegment(Activation.Segment segment, Purpose purpose, List<String> tableColumns) {
        this.segment = segment;
        this.purpose = purpose;
        this.hasKeyId = tableColumns.contains("key_id");
    }

    /** Distinct subjects of the segment: [permitted, not permitted by consent]. */
    long[] count(Connection connection, Instant now) throws SQLException {
        List<Object> params = new ArrayList<>();
        String sql = "SELECT count(DISTINCT b.subject_token) FILTER (WHERE b.permitted), "
                + "count(DISTINCT b.subject_token) FILTER (WHERE NOT b.permitted) FROM (" + base(params, now) + ") b";
        try (PreparedStatement ps = prepare(connection, sql, params); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /**
     * One row per permitted subject (its most recent row in the segment): subject token, key id
     * (or null), sealed identifiers. Streamed with {@code fetchSize}.
     */
    PreparedStatement subjects(Connection connection, Instant now, int fetchSize) throws SQLException {
        List<Object> params = new ArrayList<>();
        String order = segment.timeColumn() == null ? "" : ", b.caravan_at DESC";
        String sql = "SELECT DISTINCT ON (b.subject_token) b.subject_token, b.key_id, b.sealed FROM ("
                + base(params, now) + ") b WHERE b.permitted ORDER BY b.subject_token" + order;
        PreparedStatement ps = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        ps.setFetchSize(fetchSize);
        bind(ps, params);
        return ps;
    }

    private String base(List<Object> params, Instant now) {
        StringBuilder sql = new StringBuilder("SELECT t.").append(SUBJECT).append(" AS subject_token, ")
                .append(hasKeyId ? "t.\"key_id\"" : "NULL::text").append(" AS key_id, t.")
                .append(ExportQuery.quote(IdentitySeal.COLUMN)).append(" AS sealed, ");
        if (segment.timeColumn() != null) {
            sql.append("t.").append(ExportQuery.quote(segment.timeColumn())).append(" AS caravan_at, ");
        }
        sql.append(TokenConsent.permittedSql(purpose, "t." + SUBJECT)).append(" AS permitted");
        params.add(purpose.id());
        sql.append(" FROM caravan.").append(ExportQuery.quote(segment.table())).append(" t WHERE t.").append(SUBJECT)
                .append(" IS NOT NULL AND t.").append(ExportQuery.quote(IdentitySeal.COLUMN)).append(" IS NOT NULL");
        if (segment.timeColumn() != null) {
            sql.append(" AND t.").append(ExportQuery.quote(segment.timeColumn())).append(" >= ?");
            params.add(now.minus(java.time.Duration.ofDays(segment.withinDays())).atOffset(ZoneOffset.UTC));
        }
        for (Map.Entry<String, List<String>> match : segment.match().entrySet()) {
            sql.append(" AND t.").append(ExportQuery.quote(match.getKey())).append("::text IN (")
                    .append(String.join(", ", java.util.Collections.nCopies(match.getValue().size(), "?"))).append(")");
            params.addAll(match.getValue());
        }
        if (segment.excludeTable() != null) {
            sql.append(" AND NOT EXISTS (SELECT 1 FROM caravan.").append(ExportQuery.quote(segment.excludeTable()))
                    .append(" x WHERE x.").append(SUBJECT).append(" = t.").append(SUBJECT);
            for (String column : segment.excludeOn()) {
                String quoted = ExportQuery.quote(column);
                sql.append(" AND x.").append(quoted).append(" IS NOT DISTINCT FROM t.").append(quoted);
            }
            sql.append(")");
        }
        return sql.toString();
    }

    private static PreparedStatement prepare(Connection connection, String sql, List<Object> params) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql);
        bind(ps, params);
        return ps;
    }

    private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
    }
}
