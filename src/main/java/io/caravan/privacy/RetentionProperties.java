package io.caravan.privacy;

import io.caravan.connector.DataClass;
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
 * caravan.retention.classes.zero_party=P3650D   maximum age of the record-table rows of one data class, instead of
 *                                          their table's (longer or shorter; a class without one follows its table)
 * caravan.retention.cron=0+30+3+*+*+?      when the scheduled purge runs (Quartz cron with + for spaces,
 *                                          read by routes/_shared/privacy-jobs.camel.yaml)
 * </pre>
 */
@ConfigurationProperties("caravan.retention")
record RetentionProperties(Map<String, String> tables, Map<String, String> classes, String cron) {
    public RetentionProperties {
        tables = tables == null ? Map.of() : Map.copyOf(new TreeMap<>(tables));
        classes = classes == null ? Map.of() : Map.copyOf(new TreeMap<>(classes));
    }

    /** The maximum age of each data class's record rows, parsed; an unknown class or age names its property. */
    Map<DataClass, Duration> classMaxAges() {
        Map<DataClass, Duration> out = new java.util.EnumMap<>(DataClass.class);
        classes.forEach((id, age) -> {
            DataClass dataClass = DataClass.find(id).orElseThrow(() -> new IllegalArgumentException(
                    "caravan.retention.classes." + id + ": unknown data class (valid: " + DataClass.ids(DataClass.all()) + ")"));
            Duration parsed = parse("classes", id, age);
            if (parsed.isZero()) {
                throw new IllegalArgumentException("caravan.retention.classes." + id + ": must be positive");
            }
            out.put(dataClass, parsed);
        });
        return out;
    }

    /** The maximum age of each table, parsed; an unparsable one names its property. */
    Map<String, Duration> maxAges() {
        Map<String, Duration> out = new TreeMap<>();
        tables.forEach((table, age) -> out.put(table, parse("tables", table, age)));
        return out;
    }

    private static Duration parse(String group, String table, String age) {
        String value = age == null ? "" : age.strip();
        try {
            if (value.startsWith("P") && !value.contains("T")) {
                Period period = Period.parse(value);
                if (period.getMonths() != 0 || period.getYears() != 0) {
                    throw new IllegalArgumentException("caravan.retention." + group + "." + table
                            + ": give the age in days (e.g. P730D), not months or years");
                }
                return Duration.ofDays(period.getDays());
            }
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("caravan.retention." + group + "." + table
                    + ": not an ISO-8601 period such as P730D");
        }
    }
}
