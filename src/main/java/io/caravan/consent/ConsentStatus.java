package io.caravan.consent;

import java.util.Locale;

/** A consent event's status, as stored ({@code granted}, {@code withdrawn}). */
public enum ConsentStatus {
    GRANTED, WITHDRAWN;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ConsentStatus fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
