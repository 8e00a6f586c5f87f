package io.caravan.taxonomy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One campaign naming convention: a separator and ordered segments, each with its allowed codes
 * (matched ignoring case) and the value each code is stored as. Immutable, thread-safe.
 *
 * @param field canonical field holding the name (e.g. {@code campaign_name})
 */
record Taxonomy(String id, String field, String separator, List<Segment> segments) {

    /** One segment: the canonical column it fills, and code (upper case) → stored value. */
    public record Segment(String name, Map<String, String> values) {
        public Segment {
            Map<String, String> upper = new LinkedHashMap<>();
            values.forEach((k, v) -> upper.put(k.toUpperCase(Locale.ROOT), v));
            values = Map.copyOf(upper);
        }
    }

    public Taxonomy {
        Objects.requireNonNull(separator, "separator");
        segments = List.copyOf(segments);
    }

    /**
     * The segment values of a name, column → value; empty when the name breaks the convention
     * (wrong number of segments, or a code that is not allowed).
     */
    public Optional<Map<String, String>> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String[] parts = name.strip().split(Pattern.quote(separator), -1);
        if (parts.length != segments.size()) {
            return Optional.empty();
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (int i = 0; i < parts.length; i++) {
            String value = segments.get(i).values().get(parts[i].strip().toUpperCase(Locale.ROOT));
            if (value == null) {
                return Optional.empty();
            }
            result.put(segments.get(i).name(), value);
        }
        return Optional.of(result);
    }

    /** The columns this taxonomy fills. */
    public List<String> columns() {
        return segments.stream().map(Segment::name).toList();
    }
}
