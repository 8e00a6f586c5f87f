package io.caravan.calendar;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Watches the delivery calendars: every {@code caravan.deliveries.evaluate-every} (and on
 * {@link #evaluate()}) it works out the deliveries whose deadline lies in the last
 * {@code caravan.deliveries.lookback} and records each change of outcome in
 * {@code caravan.delivery}: a delivery turns {@code missing} at its deadline, {@code on_time} or
 * {@code late} when its batch arrives (a missing delivery that arrives later turns late). Each
 * change is counted once in {@code caravan_deliveries_total{partner,outcome}}, a late arrival's
 * lateness goes to {@code caravan_delivery_lateness_seconds}, and the listeners are told
 * (notifications; see {@link Listener}). Logs ids and outcomes only. Thread-safe: evaluations are
 * serialised. {@link #start} is called once the application's beans exist, so no change happens
 * before every listener is registered.
 */
public final class DeliveryMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryMonitor.class);

    /**
     * Told of recorded changes of outcome, after they are stored: each {@code on_time} and
     * {@code late} one, and the {@code missing} ones of a flow found in one evaluation together, as
     * the latest with how many there were ({@code missed}) and the first one's deadline, so a start
     * after downtime or a 15-minute flow that stopped tells once, not once per slot.
     */
    @FunctionalInterface
    public interface Listener {
        void changed(Change change);
    }

    /**
     * A change of outcome.
     *
     * @param previous       the outcome recorded before (null for none)
     * @param missed         for {@code missing}: how many deliveries of the flow turned missing in this evaluation
     * @param firstDeadline  for {@code missing}: the deadline of the first of them
     */
    public record Change(DeliveryPlan plan, Delivery delivery, Delivery.Outcome previous, int missed, Instant firstDeadline) {
    }

    private final DeliveryCalendar calendar;
    private final JdbcTemplate jdbc;
    private final MeterRegistry meters;
    private final Duration lookback;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Guards {@link #timer}; not the evaluation lock, so closing never waits for an evaluation stuck on the database. */
    private final Object lifecycle = new Object();
    private ScheduledExecutorService timer;

    public DeliveryMonitor(DeliveryCalendar calendar, DataSource dataSource, MeterRegistry meters, Duration lookback) {
        this.calendar = calendar;
        this.jdbc = new JdbcTemplate(dataSource);
        this.meters = meters;
        this.lookback = lookback;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Evaluates every {@code every} on a daemon thread, starting after {@code every}; zero disables. */
    public void start(Duration every) {
        synchronized (lifecycle) {
            if (every.isZero() || every.isNegative() || timer != null) {
                return;
            }
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "caravan-delivery-monitor");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(() -> {
                try {
                    evaluate();
                } catch (RuntimeException e) {
                    LOG.warn("delivery evaluation failed ({}); next try in {}", e.getClass().getSimpleName(), every);
                }
            }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (timer != null) {
                timer.shutdownNow();
                timer = null;
            }
        }
    }

    /** Records every change of outcome as of the clock's now; answers the changes, oldest deadline first. */
    public synchronized List<Delivery> evaluate() {
        Instant now = calendar.now();
        Instant from = now.minus(lookback);
        List<Delivery> changes = new ArrayList<>();
        for (DeliveryPlan plan : calendar.plans().all()) {
            List<DeliveryPlan.Slot> slots = plan.slots(from, now.plusSeconds(1)).stream()
                    .filter(s -> !s.deadline().isBefore(from)).toList();
            if (slots.isEmpty()) {
                continue;
            }
            Map<Instant, Delivery.Outcome> stored = new HashMap<>();
            jdbc.query("SELECT deadline, outcome FROM caravan.delivery WHERE flow = ? AND deadline >= ? AND deadline <= ?",
                    rs -> {
                        stored.put(rs.getTimestamp(1).toInstant(), Delivery.Outcome.valueOf(rs.getString(2).toUpperCase(java.util.Locale.ROOT)));
                    }, plan.flow(), Timestamp.from(slots.get(0).deadline()), Timestamp.from(slots.get(slots.size() - 1).deadline()));
            List<Delivery> missing = new ArrayList<>();
            for (Delivery delivery : calendar.evaluate(plan, slots, now)) {
                Delivery.Outcome previous = stored.get(delivery.deadline());
                if (delivery.outcome() == Delivery.Outcome.PENDING || delivery.outcome() == previous
                        || previous == Delivery.Outcome.ON_TIME || previous == Delivery.Outcome.LATE) {
                    continue;
                }
                record(delivery, now);
                changes.add(delivery);
                count(delivery);
                if (delivery.outcome() == Delivery.Outcome.MISSING) {
                    missing.add(delivery);
                } else {
                    LOG.info("delivery of flow {} (partner {}) due {}: {} (batch {})", plan.flow(), plan.partnerId(),
                            delivery.deadline(), delivery.outcome().label(), delivery.batchId());
                    tell(new Change(plan, delivery, previous, 0, null));
                }
            }
            if (!missing.isEmpty()) {
                Delivery latest = missing.get(missing.size() - 1);
                LOG.info("delivery of flow {} (partner {}) due {}: missing{}", plan.flow(), plan.partnerId(), latest.deadline(),
                        missing.size() == 1 ? "" : " (" + missing.size() + " deliveries since " + missing.get(0).deadline() + ")");
                tell(new Change(plan, latest, null, missing.size(), missing.get(0).deadline()));
            }
        }
        return changes;
    }

    private void tell(Change change) {
        for (Listener listener : listeners) {
            try {
                listener.changed(change);
            } catch (RuntimeException e) {
                LOG.warn("a delivery listener failed for flow {} ({})", change.plan().flow(), e.getClass().getSimpleName());
            }
        }
    }

    private void record(Delivery d, Instant now) {
        jdbc.update("""
                INSERT INTO caravan.delivery (partner_id, flow, deadline, opens_at, closes_at, outcome, batch_id, arrived_at,
                                              lateness_seconds, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (flow, deadline) DO UPDATE SET outcome = EXCLUDED.outcome, batch_id = EXCLUDED.batch_id,
                    arrived_at = EXCLUDED.arrived_at, lateness_seconds = EXCLUDED.lateness_seconds, recorded_at = EXCLUDED.recorded_at""",
                d.partnerId(), d.flow(), Timestamp.from(d.deadline()), Timestamp.from(d.opensAt()), Timestamp.from(d.closesAt()),
                d.outcome().label(), d.batchId(), d.arrivedAt() == null ? null : Timestamp.from(d.arrivedAt()),
                d.latenessSeconds(), Timestamp.from(now));
    }

    private void count(Delivery d) {
        if (meters == null) {
            return;
        }
        Counter.builder("caravan.deliveries").description("Expected partner deliveries by outcome (each change of outcome once)")
                .tag("partner", d.partnerId()).tag("outcome", d.outcome().label()).register(meters).increment();
        if (d.outcome() == Delivery.Outcome.LATE) {
            Timer.builder("caravan.delivery.lateness").description("How late late deliveries arrived after their deadline")
                    .tag("partner", d.partnerId()).register(meters).record(Duration.ofSeconds(d.latenessSeconds()));
        }
    }
}
