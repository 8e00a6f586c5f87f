package io.caravan.pseudonymise;

/** A key is {@code active} (makes new tokens; one per domain) or {@code retired} (read by id only). */
public enum KeyStatus {
    ACTIVE, RETIRED
}
