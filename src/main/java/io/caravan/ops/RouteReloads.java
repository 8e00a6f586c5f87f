package io.caravan.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * and started. A running flow is never absent because of a bad edit. Every attempt is recorded in
 * {@link ReloadAttempts} (table, audit) with the file, the line where known, the outcome, a message
 * (route ids, steps and Camel's reason, never a row value) and the version of the file then running.
 *
 * <p>A file of route configurations is parsed first (a broken one is rejected, the running configuration
 * kept), then applied with Camel's reload, which restarts the routes that use it; when that fails, the
 * previous content is applied again ({@code rolled-back}). A deleted file's routes are removed
 * ({@code removed}), whether the watcher sees the deletion or {@link #applyAll} finds the file gone.
 *
 * <p>Replaces Camel's own {@code routes-reload-enabled}: the watcher runs when
 * {@code caravan.routes.reload.watch} is true (the embedded default); {@link #applyAll} applies the
 * files on disk on demand ({@code POST /api/reloads}).
 */
public class RouteReloads extends RouteWatcherReloadStrategy {
    private static final Logger LOG = LoggerFactory.getLogger(RouteReloads.class);

    private final ReloadAttempts attempts;
    private final Path directory;
    private final String pattern;
    /** The content of each route file as it runs, by display name (for versions and roll-back). */
    private final Map<String, String> running = new ConcurrentHashMap<>();

    RouteReloads(String directory, boolean recursive, String pattern, ReloadAttempts attempts) {
        super(directory, recursive);
        this.directory = Path.of(directory);
        this.pattern = pattern;
        this.attempts = attempts;
        setPattern(pattern);
        setRemoveAllRoutes(false);
        for (Path file : files()) {
            try {
                running.put(display(file), Files.readString(file));
            } catch (IOException e) {
                // not readable now: its version is unknown until it is applied
            }
        }
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        if (resources == null) {
            super.onRouteReload(null, removeEverything);
            return;
        }
        for (Resource resource : resources) {
            reload(resource, ReloadAttempts.WATCHER);
        }
    }

    private List<Path> files() {
        String glob = pattern == null ? "*.camel.yaml" : pattern;
        String suffix = glob.startsWith("*") ? glob.substring(1) : glob;
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(suffix))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }

    /** Applies every route file under the directory with the same validate, swap and roll-back. */
    synchronized List<ReloadAttempts.Attempt> applyAll(String actor) {
        List<ReloadAttempts.Attempt> made = new ArrayList<>();
        String prefix = directory.getFileName() + "/";
        for (String gone : new java.util.TreeSet<>(running.keySet())) {
            Path file = gone.startsWith(prefix) ? directory.resolve(gone.substring(prefix.length())) : Path.of(gone);
            if (!Files.exists(file)) {
                made.addAll(reload(ResourceHelper.resolveResource(getCamelContext(), "file:" + file.toAbsolutePath()), actor));
            }
        }
        for (Path file : files()) {
            made.addAll(reload(ResourceHelper.resolveResource(getCamelContext(), "file:" + file.toAbsolutePath()), actor));
        }
        return made;
    }

    synchronized List<ReloadAttempts.Attempt> reload(Resource resource, String actor) {
        CamelContext camel = getCamelContext();
        String file = display(resource);
        if (!resource.exists()) {
            return removed(camel, resource, file, actor);
        }
        String text = text(resource);
        List<String> lines = text.lines().toList();
        String version = ReloadAttempts.version(text);
        String before = running.get(file);
        String runningVersion = before == null ? null : ReloadAttempts.version(before);
        if (lines.stream().anyMatch(l -> l.stripLeading().startsWith("- routeConfiguration"))) {
            return List.of(configurations(camel, resource, file, text, actor));
        }
        List<RouteDefinition> routes = new ArrayList<>();
        try {
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(camel).findRoutesBuilders(resource)) {
                if (builder instanceof RouteBuilder routeBuilder) {
                    routes.addAll(routeBuilder.configureRoutes(camel).getRoutes());
                }
            }
        } catch (Exception e) {
            return List.of(attempts.record(actor, file, 0, null, null, "rejected",
                    "not a valid Camel YAML route file: " + firstLine(e) + "; the running routes are kept", runningVersion));
        }
        if (routes.isEmpty()) {
            return List.of(attempts.record(actor, file, 0, null, null, "rejected",
                    "no route in the file; the running routes are kept (delete the file to remove them)", runningVersion));
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
            return List.of(attempts.record(actor, file, problemLine, null, null, "rejected",
                    String.join("; ", problems) + "; the running routes are kept", runningVersion));
        }
        List<ReloadAttempts.Attempt> made = new ArrayList<>();
        List<Boolean> applied = new ArrayList<>();
        for (RouteDefinition route : routes) {
            boolean ok = swap(camel, file, lines, route, actor, made, version, runningVersion);
            applied.add(ok);
        }
        if (!applied.contains(Boolean.FALSE)) {
            running.put(file, text);
        }
        return made;
    }

    /** Stops and removes the routes of a deleted file; recorded as {@code removed}. */
    private List<ReloadAttempts.Attempt> removed(CamelContext camel, Resource resource, String file, String actor) {
        List<String> ids = ((ModelCamelContext) camel).getRouteDefinitions().stream()
                .filter(r -> r.getResource() != null && sameLocation(r.getResource().getLocation(), resource.getLocation()))
                .map(RouteDefinition::getRouteId).sorted().toList();
        ModelCamelContext model = (ModelCamelContext) camel;
        List<String> failed = new ArrayList<>();
        for (String id : ids) {
            try {
                if (camel.getRoute(id) != null) {
                    camel.getRouteController().stopRoute(id);
                    camel.removeRoute(id);
                }
                RouteDefinition definition = model.getRouteDefinition(id);
                if (definition != null) {
                    model.removeRouteDefinition(definition);
                }
            } catch (Exception e) {
                failed.add(id + " (" + firstLine(e) + ")");
            }
        }
        running.remove(file);
        if (!failed.isEmpty()) {
            return List.of(attempts.record(actor, file, 0, null, null, "rejected", "file deleted; route(s) could not be removed: "
                    + String.join(", ", failed), null));
        }
        return List.of(attempts.record(actor, file, 0, null, ids.size() == 1 ? ids.get(0) : null, "removed",
                ids.isEmpty() ? "file deleted; it ran no route" : "file deleted; route(s) removed: " + String.join(", ", ids), null));
    }

    /**
     * A file of route configurations: parsed first (a broken file is rejected and changes nothing), then
     * applied by Camel's reload, which restarts the routes that use it; on failure the previous content is
     * applied again.
     */
    private ReloadAttempts.Attempt configurations(CamelContext camel, Resource resource, String file, String text, String actor) {
        String before = running.get(file);
        String runningVersion = before == null ? null : ReloadAttempts.version(before);
        java.util.Set<String> defined = new java.util.TreeSet<>();
        try (org.apache.camel.impl.DefaultCamelContext scratch = new org.apache.camel.impl.DefaultCamelContext()) {
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(scratch).findRoutesBuilders(
                    ResourceHelper.fromString(resource.getLocation(), text))) {
                if (builder instanceof RouteConfigurationsBuilder configurations) {
                    configurations.addRouteConfigurationsToCamelContext(scratch);
                }
            }
            scratch.getRouteConfigurationDefinitions().forEach(c -> defined.add(c.getId()));
        } catch (Exception e) {
            return attempts.record(actor, file, 0, null, null, "rejected", "not a valid file of route configurations: "
                    + firstLine(e) + "; the running configuration is kept", runningVersion);
        }
        List<String> used = ((ModelCamelContext) camel).getRouteDefinitions().stream()
                .map(RouteDefinition::getRouteConfigurationId).filter(java.util.Objects::nonNull)
                .filter(id -> !defined.contains(id)
                        && ((ModelCamelContext) camel).getRouteConfigurationDefinitions().stream().anyMatch(c -> id.equals(c.getId())
                        && c.getResource() != null && sameLocation(c.getResource().getLocation(), resource.getLocation())))
                .distinct().sorted().toList();
        if (!used.isEmpty()) {
            return attempts.record(actor, file, 0, null, null, "rejected", "routeConfiguration(s) " + String.join(", ", used)
                    + " removed from the file but used by running routes; the running configuration is kept", runningVersion);
        }
        try {
            super.onRouteReload(List.of(ResourceHelper.fromString(resource.getLocation(), text)), false);
            List<String> stopped = stoppedRoutes(camel);
            if (!stopped.isEmpty()) {
                throw new IllegalStateException("route(s) not started after it: " + String.join(", ", stopped));
            }
            running.put(file, text);
            return attempts.record(actor, file, 0, null, null, "applied", "route configurations applied",
                    ReloadAttempts.version(text));
        } catch (Exception e) {
            String reason = firstLine(e);
            if (before != null) {
                try {
                    super.onRouteReload(List.of(ResourceHelper.fromString(resource.getLocation(), before)), false);
                    for (String id : stoppedRoutes(camel)) {
                        camel.getRouteController().startRoute(id);
                    }
                } catch (Exception rollback) {
                    return attempts.record(actor, file, 0, null, null, "rolled-back", "route configurations did not apply ("
                            + reason + ") and the previous version could not be restored (" + firstLine(rollback) + ")", null);
                }
            }
            return attempts.record(actor, file, 0, null, null, "rolled-back", "route configurations did not apply (" + reason
                    + "); the previous version runs", runningVersion);
        }
    }

    private static List<String> stoppedRoutes(CamelContext camel) {
        return camel.getRoutes().stream().map(org.apache.camel.Route::getRouteId)
                .filter(id -> camel.getRouteController().getRouteStatus(id) != ServiceStatus.Started
                        && camel.getRoute(id).isAutoStartup())
                .sorted().toList();
    }

    private boolean swap(CamelContext camel, String file, List<String> lines, RouteDefinition route, String actor,
                         List<ReloadAttempts.Attempt> made, String version, String runningVersion) {
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
            made.add(attempts.record(actor, file, line, null, id, "applied", "route '" + id + "' " + (old == null ? "added" : "replaced"),
                    version));
            return true;
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
                made.add(attempts.record(actor, file, line, null, id, "rolled-back", "route '" + id + "' did not start (" + reason
                        + ") and the previous version could not be restored (" + firstLine(rollback) + ")", null));
                return false;
            }
            made.add(attempts.record(actor, file, line, null, id, "rolled-back", "route '" + id + "' did not start (" + reason
                    + "); the previous version runs", old == null ? null : runningVersion));
            return false;
        }
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

    private static String text(Resource resource) {
        try (var in = resource.getInputStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "";
        }
    }

    private String display(Path file) {
        Path p = file.toAbsolutePath().normalize();
        Path dir = directory.toAbsolutePath().normalize();
        return p.startsWith(dir) ? directory.getFileName() + "/" + dir.relativize(p) : file.toString();
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

}
