package io.caravan.lineage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.openlineage.client.OpenLineage.RunEvent;
import io.openlineage.client.transports.Transport;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lineage sink behind a bounded queue and a thread of its own, so that a backend that is slow,
 * hangs, answers 500 or is down never holds up the thread that offers the event (a batch's).
 *
 * <p>{@link #offer} never blocks: a full queue drops the event. Each event is counted once in
 * {@code caravan.lineage.events{sink, outcome}} as {@code sent}, {@code failed} or {@code dropped};
 * a failure or drop is a WARN naming the sink and the exception's class (the first, then one per
 * minute with the running count), never the event or the backend's answer. Thread-safe.
 */
final class AsyncTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncTransport.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String name;
    private final Transport transport;
    private final BlockingQueue<RunEvent> queue;
    private final Counter sent;
    private final Counter failed;
    private final Counter dropped;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    private final AtomicLong inFlight = new AtomicLong();
    private final Thread worker;
    private volatile boolean closing;

    AsyncTransport(String name, Transport transport, int capacity, MeterRegistry meters) {
        this.name = Objects.requireNonNull(name, "name");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sent = counter(meters, "sent");
        this.failed = counter(meters, "failed");
        this.dropped = counter(meters, "dropped");
        Gauge.builder("caravan.lineage.queue", queue, BlockingQueue::size).tag("sink", name)
                .description("lineage events waiting to be sent").register(meters);
        this.worker = new Thread(this::drain, "lineage-" + name);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    private Counter counter(MeterRegistry meters, String outcome) {
        return Counter.builder("caravan.lineage.events").tag("sink", name).tag("outcome", outcome)
                .description("OpenLineage run events by sink and outcome").register(meters);
    }

    String name() {
        return name;
    }

    /** Queues the event; false (and counted as dropped) when the queue is full or the sink closed. */
    boolean offer(RunEvent event) {
        if (closing || !queue.offer(event)) {
            dropped.increment();
            warn("dropped an event (queue full or closing)", null);
            return false;
        }
        return true;
    }

    /** Events offered but not yet sent or failed. */
    long pending() {
        return queue.size() + inFlight.get();
    }

    private void drain() {
        while (!closing || !queue.isEmpty()) {
            RunEvent event;
            try {
                event = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (event == null) {
                continue;
            }
            inFlight.incrementAndGet();
            try {
                transport.emit(event);
                sent.increment();
            } catch (RuntimeException | LinkageError e) {
                failed.increment();
                warn("could not send an event", e);
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    private void warn(String what, Throwable e) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            LOG.warn("lineage sink '{}' {}{}; so far {} sent, {} failed, {} dropped (batches are not affected)", name, what,
                    e == null ? "" : " (" + e.getClass().getSimpleName() + ")",
                    (long) sent.count(), (long) failed.count(), (long) dropped.count());
        }
    }

    /** Stops taking events, gives the queue up to {@code grace} to drain, then closes the transport. */
    void close(Duration grace) {
        closing = true;
        try {
            worker.join(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.interrupt();
        try {
            transport.close();
        } catch (Exception e) {
            LOG.debug("lineage sink '{}' did not close cleanly ({})", name, e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
