package io.caravan.connector;

import java.text.Normalizer;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Fixed vocabularies ({@code fuel_type}, {@code condition}, …) and the partner spellings that map
 * onto them, from {@code config/vocabularies.yaml} plus a connector's own additions.
 *
 * <p>Matching ignores case, accents, surrounding white space and the difference between spaces,
 * hyphens and underscores ({@code Plug-in Hybrid} = {@code plug in hybrid}); a canonical value
 * always maps to itself. Immutable and thread-safe.
 */
public final class Vocabularies {
    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern SEPARATORS = Pattern.compile("[\\s_\\-/]+");

    private final Map<String, Set<String>> values;
    private final Map<String, Map<String, String>> spellings;
    /** Spellings exactly as configured, looked up before normalising (the common case: partners are consistent). */
    private final Map<String, Map<String, String>> exact;

    private Vocabularies(Map<String, Set<String>> values, Map<String, Map<String, String>> spellings,
                         Map<String, Map<String, String>> exact) {
        this.values = values;
        this.spellings = spellings;
        this.exact = exact;
    }

    /**
     * @param definitions vocabulary name → (canonical value → spellings); every canonical value is
     *                    part of the vocabulary even without spellings
     * @throws IllegalArgumentException when one spelling maps to two values of one vocabulary
     */
    public static Vocabularies of(Map<String, Map<String, List<String>>> definitions) {
        Map<String, Set<String>> values = new HashMap<>();
        Map<String, Map<String, String>> spellings = new HashMap<>();
        Map<String, Map<String, String>> exact = new HashMap<>();
        definitions.forEach((name, byValue) -> {
            Set<String> allowed = new LinkedHashSet<>(byValue.keySet());
            Map<String, String> map = new HashMap<>();
            Map<String, String> asWritten = new HashMap<>();
            byValue.forEach((value, list) -> {
                put(name, map, value, value);
                asWritten.put(value, value);
                for (String spelling : list == null ? List.<String>of() : list) {
                    put(name, map, spelling, value);
                    asWritten.put(spelling.strip(), value);
                }
            });
            values.put(name, Collections.unmodifiableSet(allowed));
            spellings.put(name, Collections.unmodifiableMap(map));
            exact.put(name, Collections.unmodifiableMap(asWritten));
        });
        return new Vocabularies(Collections.unmodifiableMap(values), Collections.unmodifiableMap(spellings),
                Collections.unmodifiableMap(exact));
    }

    private static void put(String vocabulary, Map<String, String> map, String spelling, String value) {
        String previous = map.put(key(spelling), value);
        if (previous != null && !previous.equals(value)) {
            throw new IllegalArgumentException("vocabulary '" + vocabulary + "': spelling '" + spelling
                    + "' maps to both '" + previous + "' and '" + value + "'");
        }
    }

    /**
     * This vocabulary set with a connector's extra spellings. Extras may only map onto values the
     * vocabulary already has.
     */
    public Vocabularies with(Map<String, Map<String, List<String>>> extras) {
        if (extras == null || extras.isEmpty()) {
            return this;
        }
        Map<String, Map<String, List<String>>> merged = new HashMap<>();
        spellings.forEach((name, map) -> {
            Map<String, List<String>> byValue = new HashMap<>();
            values.get(name).forEach(v -> byValue.put(v, new java.util.ArrayList<>()));
            map.forEach((spelling, value) -> byValue.get(value).add(spelling));
            merged.put(name, byValue);
        });
        extras.forEach((name, byValue) -> {
            Map<String, List<String>> target = merged.get(name);
            if (target == null) {
                throw new IllegalArgumentException("unknown vocabulary '" + name + "'");
            }
            byValue.forEach((value, list) -> {
                if (!target.containsKey(value)) {
                    throw new IllegalArgumentException("vocabulary '" + name + "' has no value '" + value + "'");
                }
                target.get(value).addAll(list);
            });
        });
        return of(merged);
    }

    /** The names of the vocabularies, sorted (for an error that lists the valid ones). */
    public java.util.SortedSet<String> names() {
        return new java.util.TreeSet<>(values.keySet());
    }

    public boolean has(String vocabulary) {
        return values.containsKey(vocabulary);
    }

    public Set<String> values(String vocabulary) {
        return values.getOrDefault(vocabulary, Set.of());
    }

    /** The canonical value for a partner spelling, or empty when the spelling is unknown. */
    public Optional<String> map(String vocabulary, String spelling) {
        Map<String, String> map = spellings.get(vocabulary);
        if (map == null || spelling == null) {
            return Optional.empty();
        }
        String asWritten = exact.get(vocabulary).get(spelling);
        return Optional.ofNullable(asWritten != null ? asWritten : map.get(key(spelling)));
    }

    static String key(String spelling) {
        String stripped = MARKS.matcher(Normalizer.normalize(spelling.strip(), Normalizer.Form.NFD)).replaceAll("");
        return SEPARATORS.matcher(stripped.toLowerCase(Locale.ROOT)).replaceAll(" ");
    }
}
