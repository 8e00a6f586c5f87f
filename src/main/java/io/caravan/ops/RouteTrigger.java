package io.caravan.ops;

import io.caravan.api.ApiException;
import io.caravan.ledger.Ledger;
import io.caravan.pipeline.BatchContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.support.ScheduledPollConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * "Run now" for a partner flow. A route whose consumer polls ({@link ScheduledPollConsumer}: file,
 * SFTP) does one poll; any other (Quartz, timer) gets one exchange created by its consumer and
 * processed by the consumer's processor, as if the scheduler had fired.
 *
 * <p>The run happens on a worker thread. At most one run per route at a time through this class:
 * a second request while one is in progress is refused ({@code 409}). While the run lasts, a
 * {@link Ledger.BatchListener} collects the ids of the batches opened for the route (by this run,
 * or by the route's own schedule at the same moment); {@link #run} waits until the run finishes or
 * the first batch opens, at most the configured wait, and answers with the ids known then.
 *
 * <p>Thread-safe. Logs route ids and exception types only, never message content.
 */
final class RouteTrigger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteTrigger.class);

    private final RouteCatalog catalog;
    private final Ledger ledger;
    private final Duration wait;
    private final ExecutorService executor;
    private final Map<String, CompletableFuture<Void>> running = new ConcurrentHashMap<>();

    RouteTrigger(RouteCatalog catalog, Ledger ledger, Duration wait) {
        this.catalog = catalog;
        this.ledger = ledger;
        this.wait = wait;
        this.executor = Executors.newCachedThreadPool(new CustomizableThreadFactory("caravan-run-now-"));
    }

    /** What a run request learnt: the batch ids opened so far and whether the run has finished. */
    record RunStarted(String routeId, List<String> batchIds, boolean finished) {
    }

    /**
     * Starts a run of the partner flow {@code routeId}.
     *
     * @throws ApiException 404 when there is no such partner flow, 409 when it is not started or a
     *                      run is already in progress
     */
    RunStarted run(String routeId) {
        Route route = catalog.partnerFlow(routeId).orElseThrow(() -> ApiException.notFound("no such route"));
        if (!catalog.status(route).isStarted()) {
            throw ApiException.conflict("route is not started");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (running.putIfAbsent(routeId, done) != null) {
            throw ApiException.conflict("a run of this route is already in progress");
        }
        BatchCollector batches = new BatchCollector(routeId);
        ledger.addListener(batches);
        try {
            executor.execute(() -> runOnce(route, batches, done));
        } catch (RejectedExecutionException e) {
            ledger.removeListener(batches);
            running.remove(routeId, done);
            throw ApiException.conflict("the platform is shutting down");
        }
        try {
            CompletableFuture.anyOf(done, batches.firstOpened).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // answer with what is known
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new RunStarted(routeId, List.copyOf(batches.ids), done.isDone());
    }

    private void runOnce(Route route, BatchCollector batches, CompletableFuture<Void> done) {
        String routeId = route.getRouteId();
        try {
            Consumer consumer = route.getConsumer();
            if (consumer instanceof ScheduledPollConsumer poll) {
                poll.run();
            } else {
                Exchange exchange = consumer.createExchange(false);
                try {
                    consumer.getProcessor().process(exchange);
                    if (exchange.getException() != null) {
                        LOG.warn("Run of route {} ended with {}", routeId, exchange.getException().getClass().getName());
                    }
                } finally {
                    consumer.releaseExchange(exchange, false);
                }
            }
            LOG.info("Run of route {} requested through the API finished; {} batch(es) opened",
                    routeId, batches.ids.size());
        } catch (Exception e) {
            LOG.warn("Run of route {} failed with {}", routeId, e.getClass().getName());
        } finally {
            ledger.removeListener(batches);
            running.remove(routeId, done);
            done.complete(null);
        }
    }

    /** Stops accepting runs; runs in progress are interrupted after a short grace period. */
    @Override
    public void close() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }

    private static final class BatchCollector implements Ledger.BatchListener {
        private final String routeId;
        private final List<String> ids = new CopyOnWriteArrayList<>();
        private final CompletableFuture<Void> firstOpened = new CompletableFuture<>();

        BatchCollector(String routeId) {
            this.routeId = routeId;
        }

        @Override
        public void opened(BatchContext batch) {
            if (routeId.equals(batch.routeId())) {
                ids.add(batch.batchId());
                firstOpened.complete(null);
            }
        }
    }
}
