package io.caravan.connector;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The market's data classes (DESIGN.md, "Data classes"): every connector declares one, every record
 * carries it in {@code data_class}, and agreements, policies and purposes may restrict which they
 * take. Ids are the lowercase names used in configuration and in the warehouse.
 */
public enum DataClass {
    /** Own channels, own customers. */
    FIRST_PARTY,
    /** Given voluntarily by the customer (surveys, declared preferences). */
    ZERO_PARTY,
    /** From partner companies. */
    SECOND_PARTY,
    /** Bought from external providers: never exported unless an agreement names it. */
    THIRD_PARTY;

    /** The id as written in configuration and in {@code data_class}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The class of an id, if it is one. */
    public static Optional<DataClass> find(String id) {
        for (DataClass dataClass : values()) {
            if (dataClass.id().equals(id)) {
                return Optional.of(dataClass);
            }
        }
        return Optional.empty();
    }

    /** Every class. */
    public static Set<DataClass> all() {
        return Collections.unmodifiableSet(EnumSet.allOf(DataClass.class));
    }

    /** The ids of {@code classes}, sorted (for messages and SQL parameters). */
    public static Set<String> ids(Set<DataClass> classes) {
        Set<String> ids = new TreeSet<>();
        classes.forEach(c -> ids.add(c.id()));
        return Collections.unmodifiableSet(ids);
    }

    /** The classes of a configuration list of ids (already checked by the file's schema); empty → {@code fallback}. */
    public static Set<DataClass> of(Iterable<String> ids, Set<DataClass> fallback) {
        EnumSet<DataClass> out = EnumSet.noneOf(DataClass.class);
        for (String id : ids) {
            out.add(find(id).orElseThrow(() -> new IllegalArgumentException("unknown data class '" + id
                    + "' (valid: " + ids(all()) + ")")));
        }
        return Collections.unmodifiableSet(out.isEmpty() ? EnumSet.copyOf(fallback) : out);
    }
}
