package io.caravan.connector;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One canonical field of a connector: where it comes from ({@code column}, absent for a
 * computed field) and how it is parsed.
 */
public record FieldSpec(
        String name, String column, FieldType type, boolean required, String vocabulary,
        Pattern pattern, Integer scale, List<String> trueValues, List<String> falseValues, Integer maxLength) {

    public FieldSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        trueValues = trueValues == null ? List.of("true", "yes", "y", "1", "ja", "j", "oui", "x") : List.copyOf(trueValues);
        falseValues = falseValues == null ? List.of("false", "no", "n", "0", "nein", "non", "") : List.copyOf(falseValues);
    }
}
