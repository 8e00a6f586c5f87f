package io.caravan.lineage;

import io.caravan.pseudonymise.Policy;
import java.util.Locale;
import java.util.Map;

/**
 * What a policy does with a canonical field, as lineage names it ({@code keep}, {@code hmac},
 * {@code encrypt}, {@code generalise}, {@code drop}), and the warehouse column that results, as
 * {@code pseudonymise} writes it. No policy (a route without a {@code pseudonymise:} step) keeps
 * every field. Pure.
 */
final class Protection {
    private Protection() {
    }

    static String action(Policy policy, String field) {
        if (policy == null) {
            return "keep";
        }
        Map<String, ?> actions = policy.actions();
        Object action = actions.get(field);
        return action == null ? "drop" : action.toString().toLowerCase(Locale.ROOT);
    }

    /** The output column of {@code field} under {@code action}; null for {@code drop}. */
    static String outputColumn(String action, String field) {
        return switch (action) {
            case "keep" -> field;
            case "hmac" -> field + "_token";
            case "encrypt" -> field + "_enc";
            case "generalise" -> generalised(field);
            default -> null;
        };
    }

    private static String generalised(String field) {
        if (field.equals("postcode")) {
            return "postcode_area";
        }
        if (field.equals("birth_date")) {
            return "birth_year";
        }
        if (field.endsWith("_amount") && field.length() > "_amount".length()) {
            return field.substring(0, field.length() - "_amount".length()) + "_band";
        }
        return field;
    }
}
