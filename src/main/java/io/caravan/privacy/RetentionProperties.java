package io.caravan.privacy;

import java.time.Duration;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.retention.*}:
 *
 * <pre>
 * caravan.retention.tables.lead=P730D      maximum age per table (ISO-8601 days, or a duration such as PT12H)
 * caravan.retention.cron=0+30+3+*+*+?      when the scheduled purge runs (Quartz cron with + for spaces,
 *                                          read by routes/_shared/privacy-jobs.camel.yaml)
 * </pre>
 */
@ConfigurationProperties("caravan.retention")
record RetentionProperties(Map<String, String> tables, String cron) {
    public RetentionProperties {
        tables = tables == null ? Map.of() : Map.copyOf(new TreeMap<>(tables));
    }

    /** The maximum age of each table, parsed; an unparsable one names its property. */
    Map<String, Duration> maxAges() {
        Map<String, Duration> out = new TreeMap<>();
        tables.forEach((table, age) -> out.put(table, parse(table, age)));
        return out;
    }

    private static Duration parse(String table, String age) {
        String value = age == null ? "" : age.strip();
        try {
            if (value.startsWith("P") && !value.contains("T")) {
                Period period = Period.parse(value);
                if (period.getMonths() != 0 || period.getYears() != 0) {
                    throw new IllegalArgumentException("caravan.retention.tables." + table
                            + ": give the age in days (e.g. P730D), not months or years");
                }
                return Duration.ofDays(period.getDays());
            }
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("caravan.retention.tables." + table
                    + ": not an ISO-8601 period such as P730D");
        }
    }
}
