package io.caravan.ops;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.consent.PurposeRegistry;
import io.caravan.deliver.AgreementRegistry;
import io.caravan.error.ConfigException;
import io.caravan.exchange.PartnersFile;
import io.caravan.harmonise.RouteAgreementCheck;
import io.caravan.pseudonymise.PolicyRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;

/**
 * Safe live change of connector descriptors ({@code connectors/**.yaml}, with {@code config/vocabularies.yaml})
 * and of the configuration files {@code purposes.yaml}, {@code policies.yaml}, {@code agreements.yaml} and
 * {@code partners.yaml}. Every attempt is recorded in {@link ReloadAttempts} with the file, the JSON path of the
 * first problem, the outcome and the version running afterwards.
 *
 * <p>Descriptors: all of them are read again and validated beside the running set (schema, warehouse
 * contract, ids), and every running route must agree with the new set (a {@code harmonise:} naming a connector
 * that no longer exists, or a {@code warehouse:} table other than the descriptor's {@code record:}, rejects the
 * change). Only then is the new set swapped in; the routes whose connectors changed are made again from their
 * definitions (so a changed {@code schedule} applies) and must start, or the previous set is swapped back and
 * those routes made again ({@code rolled-back}). A running flow keeps its descriptor until a valid one replaces it.
 *
 * <p>Purposes, policies, agreements and partners are read by many services at start-up (consent, the
 * pseudonymisers and their keys, exports, the SFTP gateway's accounts): a change is validated with the
 * start-up loaders and recorded as {@code rejected} (with the path) or {@code pending-restart} (valid; the
 * running configuration applies until the next start). Not swapped live.
 *
 * <p>Thread-safe: one attempt at a time.
 */
final class ConfigReloads {
    private static final Pattern PATH = Pattern.compile("(?:^|: )(\\$[^:]*):");
    static final Set<String> CONFIG_FILES = Set.of("purposes.yaml", "policies.yaml", "agreements.yaml", "partners.yaml");
    static final String VOCABULARIES = "vocabularies.yaml";

    private final CamelContext camel;
    private final ConnectorRegistry connectors;
    private final ReloadAttempts attempts;
    private final Path configDir;
    private final Function<String, List<String>> columnsOf;
    private final UnaryOperator<String> placeholders;
    /** The content of each watched file as it runs, by display name. */
    private final Map<String, String> running = new ConcurrentHashMap<>();

    ConfigReloads(CamelContext camel, ConnectorRegistry connectors, ReloadAttempts attempts, Path configDir,
                  Function<String, List<String>> columnsOf, UnaryOperator<String> placeholders) {
        this.camel = camel;
        this.connectors = connectors;
        this.attempts = attempts;
        this.configDir = configDir;
        this.columnsOf = columnsOf;
        this.placeholders = placeholders;
        for (Path file : files()) {
            try {
                running.put(display(file), Files.readString(file));
            } catch (IOException e) {
                // unreadable now: its version is unknown until it is applied
            }
        }
    }

    /** Every watched file: the descriptors and the configuration files this class handles. */
    List<Path> files() {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(connectors.directory())) {
            try (Stream<Path> walk = Files.walk(connectors.directory())) {
                walk.filter(Files::isRegularFile).filter(ConfigReloads::isYaml).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + connectors.directory(), e);
            }
        }
        for (String name : new java.util.TreeSet<>(Set.of("purposes.yaml", "policies.yaml", "agreements.yaml",
                "partners.yaml", VOCABULARIES))) {
            if (Files.isRegularFile(configDir.resolve(name))) {
                files.add(configDir.resolve(name));
            }
        }
        return files;
    }

    /** Whether this class handles a change of {@code file}. */
    boolean handles(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        if (abs.startsWith(connectors.directory().toAbsolutePath().normalize())) {
            return isYaml(abs);
        }
        return abs.getParent() != null && abs.getParent().equals(configDir.toAbsolutePath().normalize())
                && (CONFIG_FILES.contains(abs.getFileName().toString()) || VOCABULARIES.equals(abs.getFileName().toString()));
    }

    /** Applies every watched file on disk with the same validate, swap and roll-back. */
    synchronized List<ReloadAttempts.Attempt> applyAll(String actor) {
        List<ReloadAttempts.Attempt> made = new ArrayList<>();
        made.add(descriptors(display(connectors.directory()), actor, true));
        for (String name : new java.util.TreeSet<>(CONFIG_FILES)) {
            Path file = configDir.resolve(name);
            if (Files.isRegularFile(file) && !Objects.equals(running.get(display(file)), read(file))) {
                made.add(config(file, actor));
            }
        }
        return made;
    }

    /** One changed (or deleted) file. */
    synchronized ReloadAttempts.Attempt reload(Path file, String actor) {
        String name = file.getFileName().toString();
        if (file.toAbsolutePath().normalize().startsWith(connectors.directory().toAbsolutePath().normalize())
                || VOCABULARIES.equals(name)) {
            return descriptors(display(file), actor, false);
        }
        return config(file, actor);
    }

    private ReloadAttempts.Attempt descriptors(String file, String actor, boolean all) {
        String runningVersion = version(file);
        ConnectorRegistry next;
        try {
            next = connectors.reread();
        } catch (ConfigException e) {
            return rejected(actor, file, e, runningVersion);
        } catch (RuntimeException e) {
            return attempts.record(actor, file, 0, null, null, "rejected", "descriptors not readable ("
                    + e.getClass().getSimpleName() + "); the running descriptors are kept", runningVersion);
        }
        List<String> problems = new ArrayList<>();
        ModelCamelContext model = (ModelCamelContext) camel;
        for (RouteDefinition route : List.copyOf(model.getRouteDefinitions())) {
            problems.addAll(RouteAgreementCheck.problems(next, route));
        }
        if (!problems.isEmpty()) {
            return attempts.record(actor, file, 0, path(problems.get(0)), null, "rejected",
                    String.join("; ", problems) + "; the running descriptors are kept", runningVersion);
        }
        Map<String, ConnectorDescriptor> before = byId(connectors);
        Map<String, ConnectorDescriptor> after = byId(next);
        Path vocabularies = configDir.resolve(VOCABULARIES);
        boolean vocabulariesChanged = !Objects.equals(running.get(display(vocabularies)), read(vocabularies));
        Set<String> changed = new java.util.TreeSet<>();
        before.forEach((id, d) -> {
            ConnectorDescriptor now = after.get(id);
            if (now == null || vocabulariesChanged || !Objects.equals(d.file(), now.file()) || contentChanged(now)) {
                changed.add(id);
            }
        });
        after.keySet().stream().filter(id -> !before.containsKey(id)).forEach(changed::add);
        if (changed.isEmpty()) {
            remember(file, all);
            return attempts.record(actor, file, 0, null, null, "applied", "descriptors valid; no connector changed", version(file));
        }
        List<RouteDefinition> affected = affected(model, changed);
        ConnectorRegistry previous = connectors.snapshot();
        connectors.takeOver(next);
        String failure = remake(affected);
        if (failure == null) {
            remember(file, all);
            return attempts.record(actor, file, 0, null, routes(affected), "applied", "connector(s) " + String.join(", ", changed)
                    + " changed" + (affected.isEmpty() ? "" : "; route(s) " + routes(affected) + " made again and started"),
                    version(file));
        }
        connectors.takeOver(previous);
        String restore = remake(affected);
        return attempts.record(actor, file, 0, null, routes(affected), "rolled-back", "connector(s) " + String.join(", ", changed)
                + ": " + failure + (restore == null ? "; the previous descriptors run" : "; the previous descriptors are back but "
                + restore), restore == null ? runningVersion : null);
    }

    private ReloadAttempts.Attempt config(Path file, String actor) {
        String name = display(file);
        String runningVersion = version(name);
        if (!Files.exists(file)) {
            return attempts.record(actor, name, 0, null, null, "rejected", "file deleted; the running configuration "
                    + "applies until the next start, which needs the file", runningVersion);
        }
        try {
            PurposeRegistry purposes = PurposeRegistry.load(configDir.resolve("purposes.yaml"));
            PolicyRegistry policies = PolicyRegistry.load(configDir.resolve("policies.yaml"));
            if (Files.exists(configDir.resolve("agreements.yaml"))) {
                AgreementRegistry.load(configDir.resolve("agreements.yaml"), policies, purposes, columnsOf, placeholders);
            }
            if (Files.exists(configDir.resolve("partners.yaml"))) {
                PartnersFile.check(configDir.resolve("partners.yaml"), display(configDir.resolve("partners.yaml")));
            }
        } catch (ConfigException e) {
            return rejected(actor, name, e, runningVersion);
        } catch (RuntimeException e) {
            return attempts.record(actor, name, 0, null, null, "rejected", "not readable (" + e.getClass().getSimpleName()
                    + "); the running configuration is kept", runningVersion);
        }
        return attempts.record(actor, name, 0, null, null, "pending-restart", "valid; the running configuration applies "
                + "until the next start (purposes, policies, agreements and partners are read at start-up)", runningVersion);
    }

    private ReloadAttempts.Attempt rejected(String actor, String file, ConfigException e, String runningVersion) {
        List<String> problems = e.problems().isEmpty() ? List.of(e.getMessage()) : e.problems();
        String first = problems.get(0);
        String where = first.contains(": ") ? first.substring(0, first.indexOf(": ")) : file;
        return attempts.record(actor, where.endsWith(".yaml") ? where : file, 0, path(first), null, "rejected",
                String.join("; ", problems) + "; the running configuration is kept", runningVersion);
    }

    /** Makes the routes again from their definitions and starts them; null when all started, else why not. */
    private String remake(List<RouteDefinition> routes) {
        ModelCamelContext model = (ModelCamelContext) camel;
        for (RouteDefinition route : routes) {
            String id = route.getRouteId();
            try {
                if (camel.getRoute(id) != null) {
                    camel.getRouteController().stopRoute(id);
                    camel.removeRoute(id);
                }
                RouteDefinition current = model.getRouteDefinition(id);
                if (current != null) {
                    model.removeRouteDefinition(current);
                }
                model.addRouteDefinition(route);
                if (camel.getRouteController().getRouteStatus(id) != ServiceStatus.Started) {
                    camel.getRouteController().startRoute(id);
                }
                if (camel.getRouteController().getRouteStatus(id) != ServiceStatus.Started) {
                    return "route '" + id + "' did not start";
                }
            } catch (Exception e) {
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
                return "route '" + id + "' did not start (" + message + ")";
            }
        }
        return null;
    }

    /** Whether the descriptor's file on disk differs from the content that runs. */
    private boolean contentChanged(ConnectorDescriptor descriptor) {
        if (descriptor.file() == null) {
            return false;
        }
        return !Objects.equals(running.get(display(descriptor.file())), read(descriptor.file()));
    }

    private static List<RouteDefinition> affected(ModelCamelContext model, Set<String> changed) {
        return model.getRouteDefinitions().stream()
                .filter(r -> RouteAgreementCheck.toUris(r).stream().anyMatch(uri -> {
                    String plain = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
                    int colon = plain.indexOf(':');
                    String scheme = colon < 0 ? "" : plain.substring(0, colon);
                    return (scheme.equals("harmonise") || scheme.equals("fetch")) && changed.contains(plain.substring(colon + 1));
                }))
                .sorted(java.util.Comparator.comparing(RouteDefinition::getRouteId)).toList();
    }

    private static String routes(List<RouteDefinition> routes) {
        return routes.isEmpty() ? null : String.join(", ", routes.stream().map(RouteDefinition::getRouteId).toList());
    }

    private static Map<String, ConnectorDescriptor> byId(ConnectorRegistry registry) {
        Map<String, ConnectorDescriptor> map = new TreeMap<>();
        registry.all().forEach(d -> map.put(d.id(), d));
        return map;
    }

    private void remember(String file, boolean all) {
        for (Path f : files()) {
            String name = display(f);
            if (all || name.equals(file) || !CONFIG_FILES.contains(f.getFileName().toString())) {
                String text = read(f);
                if (text != null) {
                    running.put(name, text);
                }
            }
        }
        if (!Files.exists(Path.of(file))) {
            running.remove(file);
        }
    }

    /** The running version of a file, or of a directory (all its files' contents in name order). */
    private String version(String file) {
        String text = running.get(file);
        if (text != null) {
            return ReloadAttempts.version(text);
        }
        String prefix = file.endsWith("/") ? file : file + "/";
        StringBuilder all = new StringBuilder();
        new TreeMap<>(running).forEach((name, content) -> {
            if (name.startsWith(prefix)) {
                all.append(name).append('\n').append(content);
            }
        });
        return all.isEmpty() ? null : ReloadAttempts.version(all.toString());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return null;
        }
    }

    /** The JSON path of a problem line ({@code file: $.fields.vin.type: …}), or null. */
    static String path(String problem) {
        Matcher m = PATH.matcher(problem);
        return m.find() ? m.group(1).strip() : null;
    }

    private static boolean isYaml(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    static String display(Path file) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
}
