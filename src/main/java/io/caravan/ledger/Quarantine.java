package io.caravan.ledger;

import java.time.Instant;
import java.util.List;

/**
 * The quarantine of a batch ({@code caravan.quarantine}): why the gates held it back and what an
 * operator decided.
 *
 * @param state          {@code held}, {@code releasing}, {@code released} or {@code rejected}
 * @param decisionReason the operator's reason for a rejection; null otherwise
 * @param releasedAs     the batch the released file ran as; null until it opened
 */
public record Quarantine(String batchId, String state, List<QuarantineReason> reasons, Instant quarantinedAt,
                         String decidedBy, Instant decidedAt, String decisionReason, String releasedAs) {
    public static final String HELD = "held";
    public static final String RELEASING = "releasing";
    public static final String RELEASED = "released";
    public static final String REJECTED = "rejected";

    public Quarantine {
        reasons = List.copyOf(reasons);
    }
}
