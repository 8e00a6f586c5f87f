package io.caravan.ops;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Counts for the privacy officer, read from {@code consent_event}, {@code suppression} and
 * {@code audit_event}: never a token, an identifier or a key id, only numbers per purpose, status
 * and week. An erasure is an {@code audit_event} whose {@code action} starts with {@code erasure}
 * or {@code erase} (any case; the privacy endpoints write {@code erasure}). Thread-safe.
 */
final class PrivacyStats {
    private final JdbcTemplate jdbc;

    PrivacyStats(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Consent events of one purpose and ISO week (Monday), by status. */
    record ConsentWeek(LocalDate week, String purpose, long granted, long withdrawn) {
    }

    /** Erasures of one ISO week. */
    record ErasureWeek(LocalDate week, long erasures) {
    }

    /**
     * @param since                 the first day counted (Monday of the oldest week)
     * @param consentEvents         consent events per week and purpose since {@code since}
     * @param consentEventsTotal    consent events ever recorded
     * @param subjectsWithConsent   distinct subjects with at least one consent event (a count)
     * @param erasuresTotal         erasures ever audited
     * @param erasures              erasures per week since {@code since}
     * @param suppressionListSize   entries on the suppression list
     */
    record Stats(LocalDate since, List<ConsentWeek> consentEvents, long consentEventsTotal, long subjectsWithConsent,
                 long erasuresTotal, List<ErasureWeek> erasures, long suppressionListSize) {
    }

    /** Counts of the last {@code weeks} ISO weeks, this week included. */
    Stats stats(int weeks, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, java.time.ZoneOffset.UTC);
        LocalDate since = today.minusDays(today.getDayOfWeek().getValue() - 1L).minusWeeks(weeks - 1L);
        Timestamp from = Timestamp.from(since.atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
        List<ConsentWeek> consent = jdbc.query("""
                SELECT (date_trunc('week', captured_at AT TIME ZONE 'UTC'))::date AS week, purpose,
                       count(*) FILTER (WHERE status = 'granted') AS granted,
                       count(*) FILTER (WHERE status = 'withdrawn') AS withdrawn
                  FROM caravan.consent_event WHERE captured_at >= ?
                 GROUP BY 1, 2 ORDER BY 1, 2""",
                (rs, i) -> new ConsentWeek(rs.getDate(1).toLocalDate(), rs.getString(2), rs.getLong(3), rs.getLong(4)), from);
        List<ErasureWeek> erasures = jdbc.query("""
                SELECT (date_trunc('week', occurred_at AT TIME ZONE 'UTC'))::date, count(*)
                  FROM caravan.audit_event WHERE occurred_at >= ? AND """ + ERASURE + """
                 GROUP BY 1 ORDER BY 1""",
                (rs, i) -> new ErasureWeek(rs.getDate(1).toLocalDate(), rs.getLong(2)), from);
        long consentTotal = count("SELECT count(*) FROM caravan.consent_event");
        long subjects = count("SELECT count(DISTINCT subject_token) FROM caravan.consent_event");
        long erasuresTotal = count("SELECT count(*) FROM caravan.audit_event WHERE " + ERASURE);
        long suppressed = count("SELECT count(*) FROM caravan.suppression");
        return new Stats(since, consent, consentTotal, subjects, erasuresTotal, erasures, suppressed);
    }

    private static final String ERASURE = "(action ILIKE 'erasure%' OR action ILIKE 'erase%') ";

    private long count(String sql) {
        Long value = jdbc.queryForObject(sql, Long.class);
        return value == null ? 0 : value;
    }
}
