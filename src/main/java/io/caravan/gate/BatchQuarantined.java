package io.caravan.gate;

import io.caravan.ledger.QuarantineReason;
import java.util.List;
import java.util.Objects;

/**
 * Published (a Spring application event) when the gates quarantine a batch, after the ledger
 * recorded it. Carries ids, the partner and the reasons (names and figures), never a value, so a
 * listener may forward it as it is (notifications).
 */
public record BatchQuarantined(String batchId, String routeId, String partner, List<QuarantineReason> reasons) {
    public BatchQuarantined {
        Objects.requireNonNull(batchId, "batchId");
        reasons = List.copyOf(reasons);
    }
}
