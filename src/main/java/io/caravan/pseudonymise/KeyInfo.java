package io.caravan.pseudonymise;

import java.util.Objects;

/**
 * What may be shown about a key: its id, domain and status. Never its material; safe to log and
 * to return from the ops API.
 */
public record KeyInfo(String keyId, String domain, KeyStatus status) {
    public KeyInfo {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(status, "status");
    }
}
