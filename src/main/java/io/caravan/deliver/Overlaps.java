package io.caravan.deliver;

import io.caravan.consent.Purpose;
import io.caravan.consent.PurposeRegistry;
import io.caravan.consent.TokenConsent;
import io.caravan.pseudonymise.IdentitySeal;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import javax.sql.DataSource;

/**
 * Clean-room overlap queries: how many people two sides have in common, answered only as
 * aggregates. A side is a partner's uploaded audience ({@link OverlapUploads}, tokens in the
 * {@code overlap} key domain) or the warehouse (the consented subjects of a record table, whose
 * sealed identifiers are unsealed inside the query, normalised as Google Customer Match documents,
 * hashed with SHA-256 and re-keyed into the same domain, in a temporary table that dies with the
 * transaction).
 *
 * <p><b>What an answer holds.</b> The overlap (people in both), the asking audience's size and the
 * match rate, in total and, against the warehouse, optionally per segment ({@code model},
 * {@code region} = postcode area, {@code month} of the row's date; each subject counted once, in the
 * segment of its latest row). Never a token, a hash or a row.
 *
 * <p><b>Minimum group size.</b> A cell (and the total) whose overlap or whose segment size is below
 * the minimum (configured, default 50; a query may raise it, never lower it) is answered as
 * {@code suppressed} with no figures. With noise the test is made on the noisy figures shown. The
 * total of a segmented answer adds up the cells shown only, so it never gives a suppressed cell away
 * by subtraction within one answer; across noise-free queries (segmented against unsegmented) it can,
 * which is what the noise and its budget are for ({@code caravan.overlaps.require-noise}).
 *
 * <p><b>Noise and budget.</b> With {@code epsilon}, every figure that depends on the other side is
 * released with Laplace noise of scale {@code sensitivity / epsilon} (sensitivity 2 per cell against
 * the warehouse, where one person moves one cell's overlap and size by one; 1 between two
 * audiences), rounded and clamped at zero; the epsilon is spent from the pair's budget (the pair of
 * partner ids, in either order, {@code warehouse} for the warehouse), checked and recorded under a
 * row lock before anything is computed. A query that would pass the budget is refused and spends
 * nothing. Queries without epsilon spend nothing and are protected by the minimum group size only.
 *
 * <p>Every query, answered or refused, is a row of {@code caravan.overlap_query}. Thread-safe.
 */
public final class Overlaps {
    public static final String WAREHOUSE = "warehouse";
    private static final Map<String, String> TIME_COLUMNS = Map.of(
            "lead", "lead_at", "sale", "sale_date", "contract", "start_date", "insurance", "event_date");
    private static final List<String> SEGMENTS = List.of("model", "region", "month");

    private final DataSource dataSource;
    private final KeyRing keys;
    private final PurposeRegistry purposes;
    private final Settings settings;
    private final Random random;
    private final Clock clock;

    /**
     * @param minGroupSize  smallest cell answered (at least 2)
     * @param epsilonBudget total epsilon of each pair
     * @param purpose       the purpose whose consent the warehouse side is checked for, at query time
     * @param requireNoise  every query must give an epsilon (and spend budget)
     */
    public record Settings(int minGroupSize, BigDecimal epsilonBudget, String purpose, boolean requireNoise) {
        /** Settings under which noise stays optional. */
        public Settings(int minGroupSize, BigDecimal epsilonBudget, String purpose) {
            this(minGroupSize, epsilonBudget, purpose, false);
        }

        public Settings {
            if (minGroupSize < 2) {
                throw new IllegalArgumentException("minGroupSize must be at least 2");
            }
            Objects.requireNonNull(epsilonBudget, "epsilonBudget");
            Objects.requireNonNull(purpose, "purpose");
        }
    }

    /**
     * A query: {@code audience} ({@code <partner>:<name>}) against {@code with} ({@code warehouse} or
     * another audience); against the warehouse, {@code table} (default {@code lead}) and optionally
     * {@code segmentBy}; optional {@code epsilon} and {@code minGroupSize}.
     */
    public record Query(String audience, String with, String table, String segmentBy, BigDecimal epsilon,
                        Integer minGroupSize) {
    }

    /** One cell; figures null when suppressed. */
    public record Cell(String segment, Long overlap, Long subjects, Double matchRate, boolean suppressed) {
    }

    /** The pair's budget after the query. */
    public record Budget(BigDecimal total, BigDecimal spent, BigDecimal remaining) {
    }

    public record Answer(String queryId, String audience, String with, List<String> pair, String segmentBy,
                         int minGroupSize, String noise, BigDecimal epsilon, Budget budget, long audienceSize,
                         Cell total, List<Cell> cells) {
    }

    public Overlaps(DataSource dataSource, KeyRing keys, PurposeRegistry purposes, Settings settings, Random random,
                    Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.purposes = Objects.requireNonNull(purposes, "purposes");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = random == null ? new SecureRandom() : random;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Settings settings() {
        return settings;
    }

    /** A loaded (or rejected) audience: counts only. */
    public record Audience(String audienceId, String partner, Instant uploadedAt, long rowsIn, long rowsAccepted,
                           long rowsRejected, String status, String error) {
    }

    /** A pair's budget. */
    public record PairBudget(String partnerA, String partnerB, BigDecimal total, BigDecimal spent) {
    }

    /** Every audience, newest first. */
    public List<Audience> audiences() {
        return new org.springframework.jdbc.core.JdbcTemplate(dataSource).query("SELECT * FROM caravan.overlap_audience "
                + "ORDER BY uploaded_at DESC, audience_id", (rs, n) -> new Audience(rs.getString("audience_id"),
                rs.getString("partner_id"), rs.getObject("uploaded_at", java.time.OffsetDateTime.class).toInstant(),
                rs.getLong("rows_in"), rs.getLong("rows_accepted"), rs.getLong("rows_rejected"), rs.getString("status"),
                rs.getString("error")));
    }

    /** Every pair's budget. */
    public List<PairBudget> budgets() {
        return new org.springframework.jdbc.core.JdbcTemplate(dataSource).query("SELECT * FROM caravan.overlap_budget "
                + "ORDER BY partner_a, partner_b", (rs, n) -> new PairBudget(rs.getString("partner_a"),
                rs.getString("partner_b"), rs.getBigDecimal("epsilon_total"), rs.getBigDecimal("epsilon_spent")));
    }

    /** Answers {@code query} for {@code actor}; throws {@link OverlapException} for bad input, unknown audiences and refusals. */
    public Answer ask(Query query, String actor) {
        Checked q = check(query);
        String queryId = "ov-" + HexFormat.of().formatHex(randomBytes());
        Budget budget;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                budget = spend(connection, q, queryId, actor);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("overlap budget could not be recorded (SQLSTATE " + e.getSQLState() + ")");
        }
        if (budget == null) {
            throw new OverlapException(OverlapException.Kind.REFUSED, "the privacy budget of " + String.join(" and ", q.pair())
                    + " has " + remaining(q.pair()).toPlainString() + " epsilon left; this query asks for "
                    + q.epsilon().toPlainString(), "epsilon");
        }
        Answer answer;
        try {
            answer = q.with().equals(WAREHOUSE) ? againstWarehouse(q, queryId, budget) : betweenAudiences(q, queryId, budget);
        } catch (SQLException e) {
            throw new IllegalStateException("overlap query failed (SQLSTATE " + e.getSQLState() + ")");
        }
        long suppressed = answer.cells().stream().filter(Cell::suppressed).count();
        new org.springframework.jdbc.core.JdbcTemplate(dataSource).update(
                "UPDATE caravan.overlap_query SET status = 'answered', cells = ?, cells_suppressed = ? WHERE query_id = ?",
                answer.cells().size(), suppressed, queryId);
        return answer;
    }

    // ---------------------------------------------------------------------------------------

    private record Checked(String audience, String audiencePartner, String with, String withPartner, String table,
                           String segmentBy, BigDecimal epsilon, int minGroupSize, List<String> pair) {
    }

    private Checked check(Query query) {
        if (query == null || query.audience() == null || query.audience().isBlank()) {
            throw invalid("audience is required (<partner>:<name>)", "audience");
        }
        String with = query.with() == null ? WAREHOUSE : query.with();
        String audiencePartner = audiencePartner(query.audience(), "audience");
        String withPartner = with.equals(WAREHOUSE) ? WAREHOUSE : audiencePartner(with, "with");
        if (withPartner.equals(audiencePartner)) {
            throw invalid("an overlap needs two different parties", "with");
        }
        String table = query.table() == null ? "lead" : query.table();
        if (!TIME_COLUMNS.containsKey(table)) {
            throw invalid("table must be one of lead, sale, contract, insurance", "table");
        }
        if (query.segmentBy() != null && !SEGMENTS.contains(query.segmentBy())) {
            throw invalid("segmentBy must be one of model, region, month", "segmentBy");
        }
        if (query.segmentBy() != null && !with.equals(WAREHOUSE)) {
            throw invalid("segments exist only against the warehouse (partner audiences carry no attributes)", "segmentBy");
        }
        BigDecimal epsilon = query.epsilon();
        if (epsilon != null && (epsilon.signum() <= 0 || epsilon.compareTo(BigDecimal.TEN) > 0)) {
            throw invalid("epsilon must be greater than 0 and at most 10", "epsilon");
        }
        if (epsilon == null && settings.requireNoise()) {
            throw invalid("epsilon is required: every overlap query carries noise here (caravan.overlaps.require-noise)",
                    "epsilon");
        }
        int min = query.minGroupSize() == null ? settings.minGroupSize() : query.minGroupSize();
        if (min < settings.minGroupSize()) {
            throw invalid("minGroupSize cannot be below the configured " + settings.minGroupSize(), "minGroupSize");
        }
        requireLoaded(query.audience(), "audience");
        if (!with.equals(WAREHOUSE)) {
            requireLoaded(with, "with");
        }
        List<String> pair = audiencePartner.compareTo(withPartner) < 0 ? List.of(audiencePartner, withPartner)
                : List.of(withPartner, audiencePartner);
        return new Checked(query.audience(), audiencePartner, with, withPartner, table, query.segmentBy(), epsilon, min, pair);
    }

    private static String audiencePartner(String audience, String field) {
        int colon = audience.indexOf(':');
        if (colon <= 0 || !audience.matches("[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_-]{1,64}")) {
            throw invalid(field + " must be <partner>:<name> or " + WAREHOUSE, field);
        }
        return audience.substring(0, colon);
    }

    private void requireLoaded(String audience, String field) {
        List<Map<String, Object>> rows = new org.springframework.jdbc.core.JdbcTemplate(dataSource).queryForList(
                "SELECT status, key_id FROM caravan.overlap_audience WHERE audience_id = ?", audience);
        if (rows.isEmpty() || !"loaded".equals(rows.get(0).get("status"))) {
            throw new OverlapException(OverlapException.Kind.UNKNOWN, "no loaded overlap audience " + audience, field);
        }
        String activeKey;
        try {
            activeKey = keys.tokeniser(OverlapUploads.KEY_DOMAIN).keyId();
        } catch (io.caravan.pseudonymise.MissingKeyException e) {
            throw new OverlapException(OverlapException.Kind.REFUSED, "no key is configured for key domain "
                    + OverlapUploads.KEY_DOMAIN + " (caravan.keys.domains.overlap.active)", null);
        }
        if (!activeKey.equals(rows.get(0).get("key_id"))) {
            throw new OverlapException(OverlapException.Kind.REFUSED, "overlap audience " + audience
                    + " was re-keyed under a retired overlap key; the partner uploads it again", field);
        }
    }

    /** Locks the pair's budget, spends the query's epsilon if it fits, records the query; null when it does not fit. */
    private Budget spend(Connection connection, Checked q, String queryId, String actor) throws SQLException {
        try (PreparedStatement ensure = connection.prepareStatement("INSERT INTO caravan.overlap_budget "
                + "(partner_a, partner_b, epsilon_total) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ensure.setString(1, q.pair().get(0));
            ensure.setString(2, q.pair().get(1));
            ensure.setBigDecimal(3, settings.epsilonBudget());
            ensure.executeUpdate();
        }
        BigDecimal total;
        BigDecimal spent;
        try (PreparedStatement lock = connection.prepareStatement("SELECT epsilon_total, epsilon_spent FROM "
                + "caravan.overlap_budget WHERE partner_a = ? AND partner_b = ? FOR UPDATE")) {
            lock.setString(1, q.pair().get(0));
            lock.setString(2, q.pair().get(1));
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                total = rs.getBigDecimal(1);
                spent = rs.getBigDecimal(2);
            }
        }
        BigDecimal asked = q.epsilon() == null ? BigDecimal.ZERO : q.epsilon();
        boolean fits = spent.add(asked).compareTo(total) <= 0;
        try (PreparedStatement record = connection.prepareStatement("INSERT INTO caravan.overlap_query (query_id, "
                + "partner_a, partner_b, audience_id, against, segment_by, epsilon, min_group_size, asked_by, asked_at, "
                + "status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            record.setString(1, queryId);
            record.setString(2, q.pair().get(0));
            record.setString(3, q.pair().get(1));
            record.setString(4, q.audience());
            record.setString(5, q.with().equals(WAREHOUSE) ? WAREHOUSE + ":" + q.table() : q.with());
            record.setString(6, q.segmentBy());
            record.setBigDecimal(7, q.epsilon());
            record.setInt(8, q.minGroupSize());
            record.setString(9, actor);
            record.setObject(10, ExportRuns.utc(Instant.now(clock)));
            record.setString(11, fits ? "answered" : "refused");
            record.setString(12, fits ? null : "privacy budget exceeded");
            record.executeUpdate();
        }
        if (!fits) {
            return null;
        }
        if (asked.signum() > 0) {
            try (PreparedStatement update = connection.prepareStatement("UPDATE caravan.overlap_budget SET "
                    + "epsilon_spent = epsilon_spent + ? WHERE partner_a = ? AND partner_b = ?")) {
                update.setBigDecimal(1, asked);
                update.setString(2, q.pair().get(0));
                update.setString(3, q.pair().get(1));
                update.executeUpdate();
            }
        }
        BigDecimal nowSpent = spent.add(asked);
        return new Budget(total, nowSpent, total.subtract(nowSpent));
    }

    private BigDecimal remaining(List<String> pair) {
        return new org.springframework.jdbc.core.JdbcTemplate(dataSource).queryForObject("SELECT epsilon_total - "
                + "epsilon_spent FROM caravan.overlap_budget WHERE partner_a = ? AND partner_b = ?", BigDecimal.class,
                pair.get(0), pair.get(1));
    }

    private Answer betweenAudiences(Checked q, String queryId, Budget budget) throws SQLException {
        long size;
        long overlap;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement("SELECT count(DISTINCT a.member_no), count(DISTINCT "
                     + "a.member_no) FILTER (WHERE EXISTS (SELECT 1 FROM caravan.overlap_member b WHERE b.audience_id = ? "
                     + "AND b.token = a.token)) FROM caravan.overlap_member a WHERE a.audience_id = ?")) {
            ps.setString(1, q.with());
            ps.setString(2, q.audience());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                size = rs.getLong(1);
                overlap = rs.getLong(2);
            }
        }
        long shown = noisy(overlap, 1, q.epsilon());
        Cell total = cell("all", shown, null, size, q.minGroupSize());
        return new Answer(queryId, q.audience(), q.with(), q.pair(), null, q.minGroupSize(), noise(q), q.epsilon(), budget,
                size, total, List.of(total));
    }

    private Answer againstWarehouse(Checked q, String queryId, Budget budget) throws SQLException {
        Purpose purpose = purposes.require(settings.purpose());
        Tokeniser overlapKey = keys.tokeniser(OverlapUploads.KEY_DOMAIN);
        IdentitySeal seal = keys.identitySeal();
        String table = ExportQuery.quote(q.table());
        String time = ExportQuery.quote(TIME_COLUMNS.get(q.table()));
        String segment = switch (q.segmentBy() == null ? "" : q.segmentBy()) {
            case "model" -> "t.\"model\"";
            case "region" -> "t.\"postcode_area\"";
            case "month" -> "to_char(date_trunc('month', t." + time + "), 'YYYY-MM')";
            default -> "'all'";
        };
        Map<String, long[]> counts = new LinkedHashMap<>();
        long audienceSize;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                try (Statement create = connection.createStatement()) {
                    create.execute("CREATE TEMP TABLE overlap_side (subject_token text, segment text, token text) ON COMMIT DROP");
                }
                String select = "SELECT DISTINCT ON (t.\"subject_token\") t.\"subject_token\", " + segment + ", t.\"sealed_identifiers\" "
                        + "FROM caravan." + table + " t WHERE t.\"subject_token\" IS NOT NULL AND t.\"sealed_identifiers\" IS NOT NULL "
                        + "AND " + TokenConsent.permittedSql(purpose, "t.\"subject_token\"")
                        + " ORDER BY t.\"subject_token\", t." + time + " DESC NULLS LAST";
                try (PreparedStatement rows = connection.prepareStatement(select, ResultSet.TYPE_FORWARD_ONLY,
                        ResultSet.CONCUR_READ_ONLY);
                     PreparedStatement insert = connection.prepareStatement(
                             "INSERT INTO overlap_side (subject_token, segment, token) VALUES (?, ?, ?)")) {
                    rows.setFetchSize(1000);
                    rows.setString(1, purpose.id());
                    int pending = 0;
                    try (ResultSet rs = rows.executeQuery()) {
                        while (rs.next()) {
                            Map<String, String> identifiers;
                            try {
                                identifiers = seal.open(rs.getString(3));
                            } catch (IllegalArgumentException e) {
                                continue;
                            }
                            String cellName = rs.getString(2) == null ? "(none)" : rs.getString(2);
                            List<String> hashes = new ArrayList<>(2);
                            String email = identifiers.get("email_token");
                            String phone = identifiers.get("phone_token");
                            if (email != null) {
                                hashes.add(AudiencePlatform.sha256(AudiencePlatform.GOOGLE_CUSTOMER_MATCH.email(email)));
                            }
                            if (phone != null) {
                                hashes.add(AudiencePlatform.sha256(AudiencePlatform.GOOGLE_CUSTOMER_MATCH.phone(phone)));
                            }
                            for (String hash : hashes) {
                                if (hash == null) {
                                    continue;
                                }
                                insert.setString(1, rs.getString(1));
                                insert.setString(2, cellName);
                                insert.setString(3, overlapKey.token(hash));
                                insert.addBatch();
                                pending++;
                            }
                            if (pending >= 1000) {
                                insert.executeBatch();
                                pending = 0;
                            }
                        }
                    }
                    if (pending > 0) {
                        insert.executeBatch();
                    }
                }
                try (PreparedStatement aggregate = connection.prepareStatement("SELECT w.segment, count(DISTINCT "
                        + "w.subject_token), count(DISTINCT w.subject_token) FILTER (WHERE m.token IS NOT NULL) FROM "
                        + "overlap_side w LEFT JOIN (SELECT DISTINCT token FROM caravan.overlap_member WHERE audience_id = ?) m "
                        + "ON m.token = w.token GROUP BY w.segment ORDER BY w.segment")) {
                    aggregate.setString(1, q.audience());
                    try (ResultSet rs = aggregate.executeQuery()) {
                        while (rs.next()) {
                            counts.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                        }
                    }
                }
                try (PreparedStatement size = connection.prepareStatement(
                        "SELECT count(DISTINCT member_no) FROM caravan.overlap_member WHERE audience_id = ?")) {
                    size.setString(1, q.audience());
                    try (ResultSet rs = size.executeQuery()) {
                        rs.next();
                        audienceSize = rs.getLong(1);
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        List<Cell> cells = new ArrayList<>();
        long totalOverlap = 0;
        for (Map.Entry<String, long[]> entry : counts.entrySet()) {
            long subjects = noisy(entry.getValue()[0], 2, q.epsilon());
            long overlap = noisy(entry.getValue()[1], 2, q.epsilon());
            Cell cell = cell(entry.getKey(), overlap, subjects, subjects, q.minGroupSize());
            if (!cell.suppressed() || q.segmentBy() == null) {
                // the total adds up the cells shown, so it cannot be used to work a suppressed cell out
                totalOverlap += overlap;
            }
            cells.add(cell);
        }
        Cell total = cell("all", totalOverlap, null, audienceSize, q.minGroupSize());
        return new Answer(queryId, q.audience(), q.with(), q.pair(), q.segmentBy(), q.minGroupSize(), noise(q),
                q.epsilon(), budget, audienceSize, total, q.segmentBy() == null ? List.of(total) : cells);
    }

    /** A cell: suppressed when the overlap or the segment's own size is below the minimum. */
    private static Cell cell(String name, long overlap, Long subjects, long rateBase, int min) {
        if (overlap < min || (subjects != null && subjects < min) || rateBase <= 0) {
            return new Cell(name, null, null, null, true);
        }
        double rate = BigDecimal.valueOf(overlap).divide(BigDecimal.valueOf(rateBase), 4, RoundingMode.HALF_UP).doubleValue();
        return new Cell(name, overlap, subjects, Math.min(rate, 1.0), false);
    }

    /** The count with Laplace noise of scale sensitivity/epsilon, rounded and clamped at 0; exact without epsilon. */
    private long noisy(long count, int sensitivity, BigDecimal epsilon) {
        if (epsilon == null) {
            return count;
        }
        double scale = sensitivity / epsilon.doubleValue();
        double u;
        synchronized (random) {
            u = random.nextDouble() - 0.5;
        }
        double noise = -scale * Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
        return Math.max(0, Math.round(count + noise));
    }

    private static String noise(Checked q) {
        return q.epsilon() == null ? "none" : "laplace";
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[8];
        synchronized (random) {
            random.nextBytes(bytes);
        }
        return bytes;
    }

    private static OverlapException invalid(String message, String field) {
        return new OverlapException(OverlapException.Kind.INVALID, message, field);
    }
}
