package io.caravan.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Safe live change of route files: a changed file is parsed into route definitions without touching
 * the running context, validated (every endpoint's component exists, every route has an id), and only
 * then swapped in route by route; a new route that does not start is removed and the old one re-added
 * and started. A running flow is never absent because of a bad edit. Every attempt is recorded
 * ({@link #attempts()}, newest first, the last {@value #CAPACITY} in memory) with the file, the line
 * where known, the outcome and a message (route ids, steps and Camel's reason, never a row value).
 *
 * <p>Replaces Camel's own {@code routes-reload-enabled}: the watcher runs when
 * {@code caravan.routes.reload.watch} is true (the embedded default); {@link #applyAll()} applies the
 * files on disk on demand ({@code POST /api/reloads}). Files without routes (route configurations)
 * and deleted files are left to Camel's reload.
 */
public class RouteReloads extends RouteWatcherReloadStrategy {
    static final int CAPACITY = 200;
    private static final Logger LOG = LoggerFactory.getLogger(RouteReloads.class);

    /** One reload attempt; {@code line} is 0 where not known. */
    public record Attempt(Instant at, String file, int line, String route, String outcome, String message) {}

    private final Deque<Attempt> attempts = new ArrayDeque<>();
    /** Told of every attempt that was not applied (rejected, rolled back), after it is recorded. */
    private final List<java.util.function.Consumer<Attempt>> failureListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Path directory;
    private final String pattern;

    public RouteReloads(String directory, boolean recursive, String pattern) {
        super(directory, recursive);
        this.directory = Path.of(directory);
        this.pattern = pattern;
        setPattern(pattern);
        setRemoveAllRoutes(false);
    }

    /** Registers a listener told of every failed attempt (e.g. to notify operators); it must be quick and not throw. */
    public void addFailureListener(java.util.function.Consumer<Attempt> listener) {
        failureListeners.add(listener);
    }

    public List<Attempt> attempts() {
        synchronized (attempts) {
            return List.copyOf(attempts);
        }
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        if (resources == null) {
            super.onRouteReload(null, removeEverything);
            return;
        }
        for (Resource resource : resources) {
            reload(resource);
        }
    }

    /** Applies every route file under the directory with the same validate, swap and roll-back. */
    public synchronized List<Attempt> applyAll() {
        String glob = pattern == null ? "*.camel.yaml" : pattern;
        String suffix = glob.startsWith("*") ? glob.substring(1) : glob;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(suffix))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
        List<Attempt> made = new ArrayList<>();
        for (Path file : files) {
            made.addAll(reload(ResourceHelper.resolveResource(getCamelContext(), "file:" + file.toAbsolutePath())));
        }
        return made;
    }

    synchronized List<Attempt> reload(Resource resource) {
        CamelContext camel = getCamelContext();
        String file = display(resource);
        List<String> lines = lines(resource);
        if (!resource.exists()) {
            super.onRouteReload(List.of(resource), false);
            return List.of();
        }
        if (lines.stream().anyMatch(l -> l.stripLeading().startsWith("- routeConfiguration"))) {
            // a file of route configurations: Camel's own reload
            super.onRouteReload(List.of(resource), false);
            return List.of();
        }
        List<RouteDefinition> routes = new ArrayList<>();
        try {
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(camel).findRoutesBuilders(resource)) {
                if (builder instanceof RouteConfigurationsBuilder && !(builder instanceof RouteBuilder)) {
                    super.onRouteReload(List.of(resource), false);
                    return List.of();
                }
                if (builder instanceof RouteBuilder routeBuilder) {
                    routes.addAll(routeBuilder.configureRoutes(camel).getRoutes());
                }
            }
        } catch (Exception e) {
            return List.of(record(file, 0, null, "rejected", "not a valid Camel YAML route file: " + firstLine(e)));
        }
        if (routes.isEmpty()) {
            super.onRouteReload(List.of(resource), false);
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        int problemLine = 0;
        for (RouteDefinition route : routes) {
            if (route.getRouteId() == null) {
                problems.add("a route needs an id");
                continue;
            }
            RouteDefinition running = ((ModelCamelContext) camel).getRouteDefinition(route.getRouteId());
            if (running != null && running.getResource() != null
                    && !sameLocation(running.getResource().getLocation(), resource.getLocation())) {
                problems.add("route '" + route.getRouteId() + "': duplicate route id (also in "
                        + display(running.getResource()) + ")");
                if (problemLine == 0) {
                    problemLine = lineOf(lines, "id: " + route.getRouteId());
                }
            }
            String configurationId = route.getRouteConfigurationId();
            if (configurationId != null && !configurationId.contains(",") && !configurationId.contains("*")
                    && ((ModelCamelContext) camel).getRouteConfigurationDefinition(configurationId) == null) {
                problems.add("route '" + route.getRouteId() + "' routeConfigurationId: no routeConfiguration '"
                        + configurationId + "'");
                if (problemLine == 0) {
                    problemLine = lineOf(lines, "routeConfigurationId:");
                }
            }
            List<String> uris = new ArrayList<>();
            FromDefinition from = route.getInput();
            if (from != null && from.getEndpointUri() != null) {
                uris.add(from.getEndpointUri());
            }
            uris.addAll(io.caravan.harmonise.RouteAgreementCheck.toUris(route));
            for (String uri : uris) {
                int colon = uri.indexOf(':');
                String scheme = colon < 1 ? uri : uri.substring(0, colon);
                if (camel.getComponent(scheme) == null) {
                    problems.add("route '" + route.getRouteId() + "' (to: " + scheme + ":…): unknown component '" + scheme + "'");
                    if (problemLine == 0) {
                        problemLine = lineOf(lines, scheme + ":");
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            return List.of(record(file, problemLine, null, "rejected",
                    String.join("; ", problems) + "; the running routes are kept"));
        }
        List<Attempt> made = new ArrayList<>();
        for (RouteDefinition route : routes) {
            made.add(swap(camel, file, lines, route));
        }
        return made;
    }

    private Attempt swap(CamelContext camel, String file, List<String> lines, RouteDefinition route) {
        ModelCamelContext model = (ModelCamelContext) camel;
        String id = route.getRouteId();
        int line = lineOf(lines, "id: " + id);
        RouteDefinition old = model.getRouteDefinition(id);
        try {
            if (old != null) {
                camel.getRouteController().stopRoute(id);
                camel.removeRoute(id);
                model.removeRouteDefinition(old);
            }
            model.addRouteDefinition(route);
            if (camel.getRouteController().getRouteStatus(id) != ServiceStatus.Started) {
                camel.getRouteController().startRoute(id);
            }
            if (camel.getRouteController().getRouteStatus(id) != ServiceStatus.Started) {
                throw new IllegalStateException("route did not start");
            }
            return record(file, line, id, "applied", "route '" + id + "' " + (old == null ? "added" : "replaced"));
        } catch (Exception e) {
            String reason = firstLine(e);
            try {
                if (camel.getRoute(id) != null) {
                    camel.getRouteController().stopRoute(id);
                    camel.removeRoute(id);
                }
                RouteDefinition added = model.getRouteDefinition(id);
                if (added != null) {
                    model.removeRouteDefinition(added);
                }
                if (old != null) {
                    model.addRouteDefinition(old);
                    if (camel.getRouteController().getRouteStatus(id) != ServiceStatus.Started) {
                        camel.getRouteController().startRoute(id);
                    }
                }
            } catch (Exception rollback) {
                LOG.error("{}: route '{}' could not be restored: {}", file, id, firstLine(rollback));
                return record(file, line, id, "rolled-back", "route '" + id + "' did not start (" + reason
                        + ") and the previous version could not be restored (" + firstLine(rollback) + ")");
            }
            return record(file, line, id, "rolled-back", "route '" + id + "' did not start (" + reason
                    + "); the previous version runs");
        }
    }

    private Attempt record(String file, int line, String route, String outcome, String message) {
        Attempt attempt = new Attempt(Instant.now(), file, line, route, outcome, message);
        if ("applied".equals(outcome)) {
            LOG.info("reload {}{}: {}", file, line > 0 ? ":" + line : "", message);
        } else {
            LOG.warn("reload {} {}{}: {}", outcome, file, line > 0 ? ":" + line : "", message);
        }
        synchronized (attempts) {
            attempts.addFirst(attempt);
            while (attempts.size() > CAPACITY) {
                attempts.removeLast();
            }
        }
        if (!"applied".equals(outcome)) {
            for (java.util.function.Consumer<Attempt> listener : failureListeners) {
                try {
                    listener.accept(attempt);
                } catch (RuntimeException e) {
                    LOG.warn("a reload failure listener failed ({})", e.getClass().getSimpleName());
                }
            }
        }
        return attempt;
    }

    private String display(Resource resource) {
        String location = resource.getLocation();
        String path = location.startsWith("file:") ? location.substring(5) : location;
        Path p = Path.of(path).toAbsolutePath().normalize();
        Path dir = directory.toAbsolutePath().normalize();
        return p.startsWith(dir) ? directory.getFileName() + "/" + dir.relativize(p) : path;
    }

    private static boolean sameLocation(String a, String b) {
        return strip(a).equals(strip(b));
    }

    private static String strip(String location) {
        String path = location.startsWith("file:") ? location.substring(5) : location;
        try {
            return Path.of(path).toAbsolutePath().normalize().toString();
        } catch (RuntimeException e) {
            return path;
        }
    }

    private static List<String> lines(Resource resource) {
        try (var in = resource.getInputStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        } catch (Exception e) {
            return List.of();
        }
    }

    private static int lineOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        return 0;
    }

    private static String firstLine(Exception e) {
        Throwable t = e;
        String message = t.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    }

    /** An attempt as JSON fields. */
    static Map<String, Object> view(Attempt a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", a.at().toString());
        m.put("file", a.file());
        if (a.line() > 0) {
            m.put("line", a.line());
        }
        if (a.route() != null) {
            m.put("route", a.route());
        }
        m.put("outcome", a.outcome());
        m.put("message", a.message());
        return m;
    }
}
