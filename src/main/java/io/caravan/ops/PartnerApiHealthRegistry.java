package io.caravan.ops;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * {@link PartnerApiHealth} kept in memory, exposed to actuator as the composite health contributor
 * {@code partnerApis} with one indicator per connector (connectors reported later appear without a
 * restart). A connector's detail holds its last outcome, when it happened, consecutive failures
 * and the last failure's reason phrase. Thread-safe.
 */
final class PartnerApiHealthRegistry implements PartnerApiHealth, CompositeHealthContributor {
    /** Shown while a partner API is failing: the application is up, one of its sources is not. */
    static final Status DEGRADED = new Status("DEGRADED", "partner API calls are failing");
    private static final int MAX_CONNECTORS = 1_000;
    private static final int MAX_REASON = 120;

    private final Map<String, State> states = new ConcurrentSkipListMap<>();
    private final Clock clock;

    PartnerApiHealthRegistry(Clock clock) {
        this.clock = clock;
    }

    private record State(Status status, Instant at, long consecutiveFailures, String reason) {
    }

    @Override
    public void succeeded(String connectorId) {
        if (accept(connectorId)) {
            states.put(connectorId, new State(Status.UP, clock.instant(), 0, null));
        }
    }

    @Override
    public void failed(String connectorId, String reason) {
        if (accept(connectorId)) {
            String phrase = reason == null || reason.isBlank() ? "call failed"
                    : reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
            states.compute(connectorId, (id, old) -> new State(DEGRADED, clock.instant(),
                    (old == null ? 0 : old.consecutiveFailures()) + 1, phrase));
        }
    }

    @Override
    public void register(String connectorId) {
        if (accept(connectorId)) {
            states.putIfAbsent(connectorId, new State(Status.UNKNOWN, null, 0, null));
        }
    }

    private boolean accept(String connectorId) {
        return connectorId != null && !connectorId.isBlank()
                && (states.containsKey(connectorId) || states.size() < MAX_CONNECTORS);
    }

    /** The connector's health now, or null when it never reported. */
    Health health(String connectorId) {
        State state = states.get(connectorId);
        if (state == null) {
            return null;
        }
        Health.Builder health = Health.status(state.status());
        if (state.at() != null) {
            health.withDetail("lastCallAt", state.at().toString());
        }
        if (state.consecutiveFailures() > 0) {
            health.withDetail("consecutiveFailures", state.consecutiveFailures())
                    .withDetail("reason", state.reason());
        }
        return health.build();
    }

    @Override
    public HealthContributor getContributor(String name) {
        return states.containsKey(name) ? (HealthIndicator) () -> {
            Health health = health(name);
            return health == null ? Health.unknown().build() : health;
        } : null;
    }

    @Override
    public Stream<Entry> stream() {
        return states.keySet().stream().map(name -> new Entry(name, getContributor(name)));
    }
}
