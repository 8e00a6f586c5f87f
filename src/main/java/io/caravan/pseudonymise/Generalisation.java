package io.caravan.pseudonymise;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Locale;

/**
 * The {@code generalise} action's rules: {@code postcode → postcode_area} (the first two
 * characters, upper-cased), {@code birth_date → birth_year} (an {@link Integer}), and numeric
 * {@code x_amount → x_band} ({@link AmountBands}). Pure and thread-safe.
 */
final class Generalisation {
    static final String POSTCODE = "postcode";
    static final String BIRTH_DATE = "birth_date";
    static final String AMOUNT_SUFFIX = "_amount";

    private Generalisation() {
    }

    /** Whether {@code field} has a generalisation. */
    static boolean supports(String field) {
        return outputColumn(field) != null;
    }

    /** The output column of a generalised field; null when there is no rule for it. */
    static String outputColumn(String field) {
        if (POSTCODE.equals(field)) {
            return "postcode_area";
        }
        if (BIRTH_DATE.equals(field)) {
            return "birth_year";
        }
        if (field.endsWith(AMOUNT_SUFFIX) && field.length() > AMOUNT_SUFFIX.length()) {
            return field.substring(0, field.length() - AMOUNT_SUFFIX.length()) + "_band";
        }
        return null;
    }

    /**
     * The generalised value, or null for null. A value of the wrong type raises
     * {@link IllegalArgumentException} whose message is the rule (never the value).
     */
    static Object apply(String field, Object value, AmountBands bands) {
        if (value == null) {
            return null;
        }
        if (POSTCODE.equals(field)) {
            String postcode = value.toString().strip();
            if (postcode.isEmpty()) {
                return null;
            }
            return postcode.substring(0, Math.min(2, postcode.length())).toUpperCase(Locale.ROOT);
        }
        if (BIRTH_DATE.equals(field)) {
            if (value instanceof LocalDate date) {
                return date.getYear();
            }
            throw new IllegalArgumentException("birth date is not a date");
        }
        if (value instanceof BigDecimal amount) {
            return bands.band(amount);
        }
        if (value instanceof Number number) {
            return bands.band(new BigDecimal(number.toString()));
        }
        throw new IllegalArgumentException("amount is not a number");
    }
}
