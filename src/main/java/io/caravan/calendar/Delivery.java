package io.caravan.calendar;

import java.time.Instant;
import java.util.Objects;

/**
 * One expected delivery of a flow and how it went, as of an instant.
 *
 * @param batchId          the first batch of the flow in the window (null when none)
 * @param arrivedAt        when that batch started (null when none)
 * @param latenessSeconds  seconds after the deadline for a late delivery, 0 otherwise
 */
public record Delivery(String partnerId, String flow, Instant opensAt, Instant deadline, Instant closesAt,
                       Outcome outcome, String batchId, Instant arrivedAt, long latenessSeconds) {

    public Delivery {
        Objects.requireNonNull(partnerId, "partnerId");
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** How an expected delivery went; {@code PENDING} until its deadline passes or a batch arrives. */
    public enum Outcome {
        PENDING, ON_TIME, LATE, MISSING;

        /** {@code on_time}, as the API, the table and the metrics name it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
