package io.caravan.pseudonymise;

import java.math.BigDecimal;
import java.util.List;

/**
 * Bands for generalised amounts, given by ascending lower bounds {@code b0 < b1 < … < bn}. A
 * value in {@code [bi, bi+1)} is labelled {@code "bi-bi+1"}, one at or above {@code bn}
 * {@code "bn+"}, one below {@code b0} {@code "<b0"}. Immutable and thread-safe.
 */
record AmountBands(List<BigDecimal> bounds) {
    /** Used where a policy configures no bands for a field. */
    public static final AmountBands DEFAULT = new AmountBands(List.of(
            new BigDecimal("0"), new BigDecimal("1000"), new BigDecimal("5000"), new BigDecimal("10000"),
            new BigDecimal("20000"), new BigDecimal("30000"), new BigDecimal("50000"),
            new BigDecimal("75000"), new BigDecimal("100000")));

    public AmountBands {
        if (bounds == null || bounds.isEmpty()) {
            throw new IllegalArgumentException("bands need at least one bound");
        }
        bounds = List.copyOf(bounds);
        for (int i = 1; i < bounds.size(); i++) {
            if (bounds.get(i).compareTo(bounds.get(i - 1)) <= 0) {
                throw new IllegalArgumentException("band bounds must be strictly ascending");
            }
        }
    }

    /** The band label of an amount; null for null. */
    public String band(BigDecimal amount) {
        if (amount == null) {
            return null;
        }
        if (amount.compareTo(bounds.get(0)) < 0) {
            return "<" + label(bounds.get(0));
        }
        for (int i = bounds.size() - 1; i >= 0; i--) {
            if (amount.compareTo(bounds.get(i)) >= 0) {
                return i == bounds.size() - 1
                        ? label(bounds.get(i)) + "+"
                        : label(bounds.get(i)) + "-" + label(bounds.get(i + 1));
            }
        }
        throw new AssertionError("unreachable");
    }

    private static String label(BigDecimal bound) {
        return bound.stripTrailingZeros().toPlainString();
    }
}
