package io.caravan.pseudonymise;

import java.time.Duration;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.retention.archive.*}: how long a kept partner file stays readable.
 *
 * <pre>
 * caravan.retention.archive.max-age=P30D              default for every partner (ISO-8601 days)
 * caravan.retention.archive.partners.&lt;partner&gt;=P7D   per partner; P0D keeps nothing (a file is deleted at pickup)
 * </pre>
 *
 * <p>After its age an archived file is crypto-shredded by the retention purge.
 */
@ConfigurationProperties("caravan.retention.archive")
public record ArchiveRetention(String maxAge, Map<String, String> partners) {
    static final String DEFAULT = "P30D";
    private static final String PREFIX = "caravan.retention.archive.";

    public ArchiveRetention {
        maxAge = maxAge == null || maxAge.isBlank() ? DEFAULT : maxAge.strip();
        partners = partners == null ? Map.of() : Map.copyOf(new TreeMap<>(partners));
        parse(PREFIX + "max-age", maxAge);
        partners.forEach((partner, age) -> parse(PREFIX + "partners." + partner, age));
    }

    /** The retention of a partner's kept files: its own, or the default. Zero keeps nothing. */
    public Duration of(String partner) {
        String own = partners.get(partner);
        return own != null ? parse(PREFIX + "partners." + partner, own) : parse(PREFIX + "max-age", maxAge);
    }

    private static Duration parse(String property, String age) {
        String value = age == null ? "" : age.strip();
        Duration parsed;
        try {
            if (value.startsWith("P") && !value.contains("T")) {
                Period period = Period.parse(value);
                if (period.getMonths() != 0 || period.getYears() != 0) {
                    throw new IllegalArgumentException(property + ": give the age in days (e.g. P30D), not months or years");
                }
                parsed = Duration.ofDays(period.getDays());
            } else {
                parsed = Duration.parse(value);
            }
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(property + ": not an ISO-8601 period such as P30D");
        }
        if (parsed.isNegative()) {
            throw new IllegalArgumentException(property + ": must not be negative");
        }
        return parsed;
    }
}
