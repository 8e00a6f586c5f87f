package io.caravan.notify;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a notification is about; named in {@code notifications.yaml} and the API by its {@link #label()}. */
public enum NotificationKind {
    /** An expected delivery arrived after its deadline (facts: flow, deadline, batchId, latenessSeconds). */
    DELIVERY_LATE,
    /** An expected delivery did not arrive by its deadline (facts: flow, deadline). */
    DELIVERY_MISSING,
    /** A batch failed (facts: batchId, routeId, rowsIn). */
    BATCH_FAILED,
    /** A route file was rejected or rolled back on reload (facts: file, routeId, outcome). */
    RELOAD_FAILED,
    /** A sharing agreement runs out soon (facts: agreementId, validUntil, daysLeft). */
    AGREEMENT_EXPIRING,
    /** GDPR Art. 19: the partner received data of an erased subject (facts: erasureId, exports, agreements). */
    ERASURE,
    /** A delivery was put in quarantine by a gate (facts: batchId, routeId, gates). */
    QUARANTINE;

    /** {@code delivery_missing}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<NotificationKind> of(String label) {
        return Arrays.stream(values()).filter(k -> k.label().equals(label)).findFirst();
    }
}
