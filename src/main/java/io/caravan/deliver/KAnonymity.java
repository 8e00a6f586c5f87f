package io.caravan.deliver;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The k-anonymity gate of an agreement ({@code kAnonymity:} in {@code config/agreements.yaml}):
 * among the rows an export would send (after consent), every combination of the
 * {@code quasiIdentifiers} must occur at least {@code k} times. A row of a smaller group is first
 * generalised one step further when its agreement lists the column under {@code generalise} (see
 * {@link #STEPS}), and suppressed when its group is still smaller than {@code k} after that.
 *
 * <p>The gate is computed by PostgreSQL over the whole export ({@link ExportQuery}), with window
 * counts, before any row reaches the file; the exporter still streams row by row. It is
 * k-anonymity, not differential privacy: it bounds how few people share a combination of the
 * named columns, nothing more (see the README).
 *
 * @param k                at least 2
 * @param quasiIdentifiers columns of the agreement, at least one
 * @param generalise       quasi-identifiers that may be generalised one step further, each one of {@link #STEPS}
 */
record KAnonymity(int k, List<String> quasiIdentifiers, List<String> generalise) {

    /**
     * The one-step-further generalisations, as SQL over a column reference {@code %s}; each gives
     * text that cannot equal an ungeneralised value of the same column, so a generalised row never
     * silently joins an exact group.
     */
    static final Map<String, String> STEPS = Map.of(
            // a two-character postcode area becomes its first character and a star ("10" -> "1*")
            "postcode_area", "left(%s::text, 1) || '*'",
            // a year becomes its decade ("1983" -> "1980-1989")
            "birth_year", "((%1$s / 10) * 10)::text || '-' || ((%1$s / 10) * 10 + 9)::text",
            "model_year", "((%1$s / 10) * 10)::text || '-' || ((%1$s / 10) * 10 + 9)::text");

    KAnonymity {
        if (k < 2) {
            throw new IllegalArgumentException("k must be at least 2");
        }
        quasiIdentifiers = List.copyOf(quasiIdentifiers);
        generalise = List.copyOf(generalise);
        if (quasiIdentifiers.isEmpty()) {
            throw new IllegalArgumentException("at least one quasi-identifier");
        }
        if (!Set.copyOf(quasiIdentifiers).containsAll(generalise)) {
            throw new IllegalArgumentException("only quasi-identifiers can be generalised");
        }
        generalise.forEach(column -> Objects.requireNonNull(STEPS.get(column), "no generalisation step for a column"));
    }

    /** What the gate did in one export: stated in the manifest and in {@code caravan.export}. */
    record Outcome(int k, long rowsGeneralised, long rowsSuppressed, Long smallestGroup) {
    }
}
