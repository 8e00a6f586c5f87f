package io.caravan.dataproduct;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the {@link OutboxPublisher} on one daemon thread while the application runs: publish what is
 * pending, wait {@link DataProductProperties#pollInterval()}, repeat. A failure (Kafka or the database
 * unreachable) is logged by type only and retried after the interval; the outbox keeps the rows, so
 * nothing is lost. Stopping interrupts the wait and closes the producer.
 */
final class OutboxPublisherLoop implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisherLoop.class);

    private final OutboxPublisher publisher;
    private final DataProductProperties settings;
    private volatile Thread thread;

    OutboxPublisherLoop(OutboxPublisher publisher, DataProductProperties settings) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        Thread worker = new Thread(this::run, "caravan-data-products");
        worker.setDaemon(true);
        thread = worker;
        worker.start();
    }

    private void run() {
        while (thread == Thread.currentThread()) {
            try {
                publisher.publishPending();
            } catch (Exception e) {
                if (thread != Thread.currentThread()) {
                    break;
                }
                LOG.warn("data products: publishing failed ({}); retrying in {}", e.getClass().getName(),
                        settings.pollInterval());
            }
            try {
                Thread.sleep(settings.pollInterval().toMillis());
            } catch (InterruptedException e) {
                break;
            }
        }
        publisher.close();
    }

    @Override
    public synchronized void stop() {
        Thread worker = thread;
        thread = null;
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }
}
