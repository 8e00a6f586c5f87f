package io.caravan.ops;

import io.caravan.ledger.Ledger;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.component.timer.TimerEndpoint;
import org.apache.camel.support.ScheduledPollConsumer;

/**
 * The partner flows among the Camel routes. A route is a partner flow when it has a
 * {@code group}: the group is the partner's id. In YAML:
 * <pre>
 * - route:
 *     id: dealer-nord-sales
 *     group: dealer-nord          # the partner id
 *     description: Daily DMS sales export ...
 * </pre>
 * Routes without a group (route configurations, internal helpers) are not listed and cannot be
 * run through the API. Endpoint URIs are never exposed (they may carry credentials).
 *
 * <p>Thread-safe; reads Camel's live route registry on each call.
 */
final class RouteCatalog {
    private final CamelContext camel;
    private final Ledger ledger;

    RouteCatalog(CamelContext camel, Ledger ledger) {
        this.camel = camel;
        this.ledger = ledger;
    }

    /** Every partner flow, by id. */
    List<RouteView> partnerFlows() {
        return camel.getRoutes().stream()
                .filter(RouteCatalog::isPartnerFlow)
                .sorted(Comparator.comparing(Route::getRouteId))
                .map(this::view)
                .toList();
    }

    /** The partner flow with this id, if there is one. */
    Optional<Route> partnerFlow(String routeId) {
        Route route = routeId == null ? null : camel.getRoute(routeId);
        return route != null && isPartnerFlow(route) ? Optional.of(route) : Optional.empty();
    }

    ServiceStatus status(Route route) {
        ServiceStatus status = camel.getRouteController().getRouteStatus(route.getRouteId());
        return status == null ? ServiceStatus.Stopped : status;
    }

    static boolean isPartnerFlow(Route route) {
        return route.getGroup() != null && !route.getGroup().isBlank();
    }

    private RouteView view(Route route) {
        return new RouteView(route.getRouteId(), route.getDescription(), route.getGroup(), schedule(route),
                status(route).name(), ledger.lastOf(route.getRouteId()).orElse(null));
    }

    /** How the route's consumer starts it by itself; null when it does not (e.g. {@code direct}). */
    static RouteView.Schedule schedule(Route route) {
        Consumer consumer = route.getConsumer();
        Endpoint endpoint = route.getEndpoint();
        if (consumer instanceof ScheduledPollConsumer poll) {
            return RouteView.Schedule.every("poll", poll.getTimeUnit().toMillis(poll.getDelay()));
        }
        if (endpoint instanceof QuartzEndpoint quartz) {
            if (quartz.getCron() != null) {
                return RouteView.Schedule.cron(quartz.getCron());
            }
            Map<String, Object> trigger = quartz.getTriggerParameters();
            Object interval = trigger == null ? null : trigger.get("repeatInterval");
            return interval == null
                    ? new RouteView.Schedule("trigger", null, null)
                    : RouteView.Schedule.every("trigger", Long.parseLong(interval.toString()));
        }
        if (endpoint instanceof TimerEndpoint timer) {
            return RouteView.Schedule.every("timer", timer.getPeriod());
        }
        return null;
    }
}
