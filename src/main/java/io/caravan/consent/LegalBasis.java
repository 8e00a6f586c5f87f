package io.caravan.consent;

import java.util.Locale;

/** The legal basis of a purpose or consent event, as stored ({@code consent}, {@code legitimate_interest}, {@code contract}). */
public enum LegalBasis {
    /** Opt-in: a record passes only if the subject's latest event for the purpose is granted. */
    CONSENT,
    /** Opt-out: a record passes unless the subject's latest event for the purpose is withdrawn. */
    LEGITIMATE_INTEREST,
    /** Recorded on events (performance of a contract); not a basis a purpose filters by. */
    CONTRACT;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LegalBasis fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
