package io.caravan.exchange;

import io.caravan.ledger.Ledger;
import io.caravan.pipeline.BatchContext;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.apache.camel.spi.RouteIdAware;
import org.apache.camel.component.file.remote.RemoteFileEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poll strategy for routes that poll partners' own servers ({@code pollStrategy: "#partnerPollErrors"},
 * with {@code throwExceptionOnConnectFailed: true}): a poll that fails before any file was read
 * (connection refused, host key mismatch, authentication refused, remote folder missing) is not
 * swallowed. It is logged at WARN and recorded in the ledger as a {@code failed} batch of the
 * route (connector {@value #CONNECTOR}, partner = the route's group, source = the server's
 * {@code sftp://host:port/folder}, reason naming the kind of failure), so operators see it in
 * {@code GET /api/batches}. One outage is one failed batch: later failing polls of the same route
 * are not recorded again until a poll succeeds. Reasons are fixed sentences plus an exception
 * class name, never a library message (which may quote user names or paths). Thread-safe.
 */
final class PartnerPollErrors implements PollingConsumerPollStrategy {
    private static final Logger LOG = LoggerFactory.getLogger(PartnerPollErrors.class);
    static final String CONNECTOR = "sftp-poll";

    private final Ledger ledger;
    private final CamelContext camel;
    private final Clock clock;
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();

    PartnerPollErrors(Ledger ledger, CamelContext camel, Clock clock) {
        this.ledger = ledger;
        this.camel = camel;
        this.clock = clock;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        String routeId = routeId(consumer);
        if (failing.remove(routeId) != null) {
            LOG.info("route {}: partner server reachable again", routeId);
        }
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        String routeId = routeId(consumer);
        String source = source(endpoint);
        String reason = "polling " + source + " failed: " + kind(cause);
        if (failing.putIfAbsent(routeId, Boolean.TRUE) == null) {
            LOG.warn("route {}: {}", routeId, reason);
            Route route = camel.getRoute(routeId);
            String partner = route == null ? null : route.getGroup();
            Instant now = Instant.now(clock);
            ledger.fail(new BatchContext(Ledger.newBatchId(now), routeId, CONNECTOR, partner, null, source, now), reason);
        }
        return false;
    }

    static String kind(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("hostkey") || message.contains("host key")) {
                return "the server's host key does not match the pinned key (" + t.getClass().getSimpleName() + ")";
            }
            if (message.contains("auth fail") || message.contains("authentication")) {
                return "authentication refused (" + t.getClass().getSimpleName() + ")";
            }
            if (t instanceof java.net.ConnectException || message.contains("connection refused")) {
                return "connection refused (" + t.getClass().getSimpleName() + ")";
            }
        }
        return "cannot connect or list the remote folder ("
                + (cause == null ? "unknown" : cause.getClass().getSimpleName()) + ")";
    }

    private static String routeId(Consumer consumer) {
        return consumer instanceof RouteIdAware aware && aware.getRouteId() != null ? aware.getRouteId() : "unknown";
    }

    private static String source(Endpoint endpoint) {
        if (endpoint instanceof RemoteFileEndpoint<?> remote) {
            var configuration = remote.getConfiguration();
            return configuration.getProtocol() + "://" + configuration.getHost() + ":" + configuration.getPort() + "/"
                    + configuration.getDirectory();
        }
        return endpoint.getEndpointKey();
    }
}
