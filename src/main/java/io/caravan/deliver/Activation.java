package io.caravan.deliver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an agreement of {@code kind: activation} sends to an ad platform: the subjects a
 * {@link Segment} selects in the warehouse, whose latest consent for the agreement's purpose
 * allows it, as the platform's normalised and SHA-256-hashed identifiers ({@link AudiencePlatform}).
 *
 * @param identifiers     {@code email}, {@code phone} or both, in that order in the file
 * @param minimumAudience an export with fewer subjects is refused; never below the platform's configured floor
 */
record Activation(AudiencePlatform platform, Segment segment, List<String> identifiers, int minimumAudience) {
    static final List<String> IDENTIFIERS = List.of("email", "phone");

    Activation {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(segment, "segment");
        identifiers = List.copyOf(identifiers);
        if (identifiers.isEmpty() || !IDENTIFIERS.containsAll(identifiers)) {
            throw new IllegalArgumentException("identifiers are email and/or phone");
        }
        if (minimumAudience < 1) {
            throw new IllegalArgumentException("minimumAudience must be positive");
        }
    }

    /**
     * A segment of the warehouse, declared in configuration and executed as SQL built from
     * validated column names with every value bound as a parameter: rows of {@code table} whose
     * {@code timeColumn} lies within the last {@code withinDays} days and whose columns equal one of
     * the listed values ({@code match}), leaving out subjects who have a row in {@code excludeTable}
     * with the same values in the {@code excludeOn} columns (e.g. leads for a model without a sale
     * of that model).
     *
     * @param timeColumn   null for no time window
     * @param excludeTable null for no exclusion
     */
    record Segment(String table, String timeColumn, int withinDays, Map<String, List<String>> match,
                   String excludeTable, List<String> excludeOn) {
        Segment {
            Objects.requireNonNull(table, "table");
            Map<String, List<String>> copy = new LinkedHashMap<>();
            match.forEach((column, values) -> copy.put(column, List.copyOf(values)));
            match = java.util.Collections.unmodifiableMap(copy);
            excludeOn = excludeOn == null ? List.of() : List.copyOf(excludeOn);
            if (timeColumn != null && withinDays < 1) {
                throw new IllegalArgumentException("withinDays must be positive");
            }
        }

        /** Every column of {@link #table} the segment names. */
        List<String> columns() {
            List<String> columns = new ArrayList<>(match.keySet());
            if (timeColumn != null) {
                columns.add(timeColumn);
            }
            columns.addAll(excludeOn);
            return columns;
        }
    }
}
