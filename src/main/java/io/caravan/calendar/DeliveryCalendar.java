package io.caravan.calendar;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Expected deliveries of partner flows and their outcome, worked out from the delivery calendars
 * and the ledger: the first batch of the flow's route (of any status but {@code failed}) in a
 * delivery's window is that delivery, {@code on_time} when it started by the deadline, {@code late}
 * after it; with none, the delivery is {@code missing} once the deadline has passed and
 * {@code pending} before. A failed batch is not a delivery (the failure is told on its own).
 *
 * <p>Reads only; "now" comes from the injected {@link Clock}. Thread-safe.
 */
public final class DeliveryCalendar {
    /** At most this many expected deliveries in one answer (a month of a 15-minute flow is 2,976). */
    public static final int MAX_DELIVERIES = 20_000;

    private final DeliveryPlans plans;
    private final JdbcTemplate jdbc;
    private final Clock clock;

    public DeliveryCalendar(DeliveryPlans plans, DataSource dataSource, Clock clock) {
        this.plans = plans;
        this.jdbc = new JdbcTemplate(dataSource);
        this.clock = clock;
    }

    public DeliveryPlans plans() {
        return plans;
    }

    public Instant now() {
        return clock.instant();
    }

    /** The deliveries of every calendar of the partner (every partner for null) due in {@code [from, to)}. */
    public List<Delivery> deliveries(String partnerId, Instant from, Instant to) {
        Instant now = clock.instant();
        List<Delivery> all = new ArrayList<>();
        for (DeliveryPlan plan : plans.of(partnerId)) {
            List<DeliveryPlan.Slot> due = plan.slots(from, to).stream()
                    .filter(s -> !s.deadline().isBefore(from) && s.deadline().isBefore(to)).toList();
            all.addAll(evaluate(plan, due, now));
            if (all.size() > MAX_DELIVERIES) {
                throw new IllegalArgumentException("more than " + MAX_DELIVERIES + " expected deliveries in the range");
            }
        }
        all.sort(java.util.Comparator.comparing(Delivery::deadline).thenComparing(Delivery::flow));
        return all;
    }

    /** The outcome of each slot of {@code plan} as of {@code now}, from the ledger. */
    List<Delivery> evaluate(DeliveryPlan plan, List<DeliveryPlan.Slot> slots, Instant now) {
        if (slots.isEmpty()) {
            return List.of();
        }
        List<Arrival> arrivals = jdbc.query("""
                SELECT batch_id, started_at FROM caravan.batch
                 WHERE route_id = ? AND status <> 'failed' AND started_at >= ? AND started_at < ?
                 ORDER BY started_at, batch_id""",
                (rs, n) -> new Arrival(rs.getString(1), rs.getTimestamp(2).toInstant()),
                plan.flow(), Timestamp.from(slots.get(0).opensAt()), Timestamp.from(slots.get(slots.size() - 1).closesAt()));
        List<Delivery> deliveries = new ArrayList<>(slots.size());
        int next = 0;
        for (DeliveryPlan.Slot slot : slots) {
            while (next < arrivals.size() && arrivals.get(next).at().isBefore(slot.opensAt())) {
                next++;
            }
            Arrival first = next < arrivals.size() && arrivals.get(next).at().isBefore(slot.closesAt())
                    && !arrivals.get(next).at().isAfter(now) ? arrivals.get(next) : null;
            deliveries.add(outcome(plan, slot, first, now));
        }
        return deliveries;
    }

    static Delivery outcome(DeliveryPlan plan, DeliveryPlan.Slot slot, Arrival first, Instant now) {
        if (first == null) {
            Delivery.Outcome outcome = now.isAfter(slot.deadline()) || now.equals(slot.deadline())
                    ? Delivery.Outcome.MISSING : Delivery.Outcome.PENDING;
            return new Delivery(plan.partnerId(), plan.flow(), slot.opensAt(), slot.deadline(), slot.closesAt(),
                    outcome, null, null, 0);
        }
        boolean late = first.at().isAfter(slot.deadline());
        return new Delivery(plan.partnerId(), plan.flow(), slot.opensAt(), slot.deadline(), slot.closesAt(),
                late ? Delivery.Outcome.LATE : Delivery.Outcome.ON_TIME, first.batchId(), first.at(),
                late ? Duration.between(slot.deadline(), first.at()).toSeconds() : 0);
    }

    record Arrival(String batchId, Instant at) {
    }
}
