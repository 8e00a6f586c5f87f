package io.caravan;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.connector.RouteSteps;
import io.caravan.consent.ConsentFeeds;
import io.caravan.consent.PurposeRegistry;
import io.caravan.consent.TcfPurposes;
import io.caravan.deliver.AgreementRegistry;
import io.caravan.error.ConfigException;
import io.caravan.calendar.DeliveryPlans;
import io.caravan.calendar.HolidayCalendars;
import io.caravan.exchange.PartnersFile;
import io.caravan.governance.GovernanceChecks;
import io.caravan.notify.NotificationRules;
import io.caravan.harmonise.RouteAgreementCheck;
import io.caravan.lineage.LineageConfigLoader;
import io.caravan.pseudonymise.Policy;
import io.caravan.pseudonymise.PolicyRegistry;
import io.caravan.taxonomy.Taxonomies;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * {@code validate}: checks every route, connector descriptor and configuration file of a
 * repository without starting anything (no database, no ports, no Spring context), with the same
 * loaders start-up uses, and prints one line per problem, {@code file:line: path: message} (the
 * line where it is known, else {@code file: path: message}). Exit code 0 when there is none, 1
 * otherwise: usable in the CI of a partner-onboarding pull request.
 *
 * <pre>
 * java -jar target/caravan-*.jar validate [repository root]
 * mvn -q exec:java@validate
 * </pre>
 *
 * <p>Routes are read with Camel's YAML DSL loader into a Camel context that is never started;
 * each route's endpoints must name a component that exists (Caravan's steps or one on the class
 * path), Caravan's steps must name a known connector, purpose, policy, taxonomy or consent feed,
 * {@code harmonise:}/{@code fetch:} and {@code warehouse:} must agree on the descriptor's record
 * table, route ids must be unique across files and a {@code routeConfigurationId} must exist.
 * What needs the database (the columns of a view an agreement exports) is left to start-up.
 * Messages name files, paths and configured names, never data.
 */
public final class Validate {
    /** The components Caravan registers as Spring beans (not found on the class path by scheme). */
    static final Set<String> CARAVAN_COMPONENTS = Set.of("harmonise", "fetch", "consent", "consent-feed",
            "pseudonymise", "warehouse", "taxonomy");
    /** The record readers of {@code io.caravan.ingest} (their {@code formatType()}). */
    static final Set<String> FORMAT_TYPES = Set.of("csv", "fixed-width", "adf-xml", "json");
    /** A route reading a partner's inbox of the SFTP gateway: {@code file:{{caravan.sftp.root}}/<partner>/inbox}. */
    private static final java.util.regex.Pattern INBOX = java.util.regex.Pattern.compile(
            "^file:(?://)?\\{\\{caravan\\.sftp\\.root}}/([a-z0-9-]+)/inbox/?(?:\\?.*)?$");

    private final Path root;
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    Validate(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public static void main(String[] args) {
        // Camel's own start-up and shutdown lines are noise here: the problems are the output
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.ERROR);
        List<String> rest = Stream.of(args).filter(a -> !a.equals("validate")).toList();
        System.exit(run(Path.of(rest.isEmpty() ? "." : rest.get(0)), System.out));
    }

    /** Validates the repository at {@code root}; prints the problems and a summary; returns the exit code. */
    public static int run(Path root, PrintStream out) {
        Validate validate = new Validate(root);
        List<String> problems = validate.problems();
        problems.forEach(out::println);
        // what the record of processing lacks (io.caravan.governance): reported, but no reason to refuse
        validate.warnings.forEach(w -> out.println("warning: " + w));
        String warned = validate.warnings.isEmpty() ? "" : " (" + validate.warnings.size() + " warning(s))";
        out.println(problems.isEmpty() ? "validate: routes, connectors and config are valid" + warned
                : "validate: " + problems.size() + " problem(s)" + warned);
        return problems.isEmpty() ? 0 : 1;
    }

    /** Every problem, one line each, in the order: config, connectors, routes. */
    List<String> problems() {
        Path config = root.resolve("config");
        Path applicationYaml = config.resolve("application.yaml");
        if (Files.exists(applicationYaml)) {
            YamlLines.syntaxProblem(applicationYaml).ifPresent(p -> problems.add(display(applicationYaml) + p));
        }
        PurposeRegistry purposes = load(() -> PurposeRegistry.load(config.resolve("purposes.yaml")));
        PolicyRegistry policies = load(() -> PolicyRegistry.load(config.resolve("policies.yaml")));
        if (purposes != null && policies != null && Files.exists(config.resolve("agreements.yaml"))) {
            AgreementRegistry agreements = load(() -> AgreementRegistry.load(config.resolve("agreements.yaml"), policies,
                    purposes, Validate::contractColumns, text -> text));
            if (agreements != null) {
                check(() -> warnings.addAll(GovernanceChecks.recipientCountries(config, agreements).stream()
                        .map(this::withLine).toList()));
            }
        }
        warnings.addAll(GovernanceChecks.contacts(applicationYaml));
        ConsentFeeds feeds = purposes == null || !Files.exists(config.resolve("consent-feeds.yaml")) ? null
                : load(() -> ConsentFeeds.load(config.resolve("consent-feeds.yaml"), purposes));
        if (purposes != null && Files.exists(config.resolve("tcf.yaml"))) {
            check(() -> TcfPurposes.load(config.resolve("tcf.yaml"), purposes));
        }
        Set<String> taxonomies = Files.exists(config.resolve("campaign-taxonomy.yaml"))
                ? load(() -> Taxonomies.check(config.resolve("campaign-taxonomy.yaml"))) : Set.of();
        int before = problems.size();
        if (Files.exists(config.resolve("partners.yaml"))) {
            check(() -> PartnersFile.check(config.resolve("partners.yaml"), display(config.resolve("partners.yaml"))));
        }
        boolean partnersValid = problems.size() == before;
        HolidayCalendars holidays = load(() -> HolidayCalendars.load(config.resolve("holidays.yaml")));
        if (holidays != null && partnersValid) { // the delivery calendars, once the partners file itself is valid
            check(() -> DeliveryPlans.load(config.resolve("partners.yaml"), holidays));
        }
        // notifications.yaml: its shape and references; secrets live in the environment of the running platform
        check(() -> NotificationRules.load(config.resolve("notifications.yaml"), name -> "secret-not-checked-by-validate"));
        // lineage: openlineage.yml at the root and the OPENLINEAGE_* variables, as start-up reads them
        check(() -> new LineageConfigLoader(System.getenv(), root, null).load());
        Map<String, List<String>> partnerRoutes = !Files.exists(config.resolve("partners.yaml")) ? null
                : load(() -> PartnersFile.routes(config.resolve("partners.yaml"), display(config.resolve("partners.yaml"))));
        ConnectorRegistry connectors = load(() -> new ConnectorRegistry(root.resolve("connectors"),
                config.resolve("vocabularies.yaml"), FORMAT_TYPES));
        Routes routes = new Routes(connectors, purposes, policies, feeds, taxonomies);
        if (partnerRoutes != null) {
            routes.partners(partnerRoutes, display(config.resolve("partners.yaml")));
        }
        routes.check();
        return problems.stream().map(this::withLine).toList();
    }

    // ---------------------------------------------------------------------------------------

    /** The routes of {@code routes/}, read with Camel's YAML DSL into a context that never starts. */
    private final class Routes {
        private final ConnectorRegistry connectors;
        private final PurposeRegistry purposes;
        private final PolicyRegistry policies;
        private final ConsentFeeds feeds;
        private final Set<String> taxonomies;
        private final Map<String, String> routeIds = new HashMap<>();
        private final Set<String> configurationIds = new TreeSet<>();
        private final List<Runnable> afterAll = new ArrayList<>();
        private Map<String, List<String>> partnerRoutes;
        private String partnersFile;

        Routes(ConnectorRegistry connectors, PurposeRegistry purposes, PolicyRegistry policies, ConsentFeeds feeds,
               Set<String> taxonomies) {
            this.connectors = connectors;
            this.purposes = purposes;
            this.policies = policies;
            this.feeds = feeds;
            this.taxonomies = taxonomies;
        }

        void check() {
            Path dir = root.resolve("routes");
            if (!Files.isDirectory(dir)) {
                problems.add(display(dir) + ": $: routes directory does not exist");
                return;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                        .filter(Files::isRegularFile).sorted().forEach(this::file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
            afterAll.forEach(Runnable::run);
        }

        private void file(Path file) {
            String name = display(file);
            List<String> lines = lines(file);
            try (DefaultCamelContext camel = new DefaultCamelContext()) {
                ModelCamelContext model = camel;
                for (RoutesBuilder builder : PluginHelper.getRoutesLoader(camel)
                        .findRoutesBuilders(ResourceHelper.resolveResource(camel, "file:" + file.toAbsolutePath()))) {
                    if (builder instanceof RouteConfigurationsBuilder configurations) {
                        configurations.addRouteConfigurationsToCamelContext(camel);
                    }
                    builder.addRoutesToCamelContext(camel);
                }
                for (RouteConfigurationDefinition configuration : model.getRouteConfigurationDefinitions()) {
                    if (configuration.getId() != null) {
                        configurationIds.add(configuration.getId());
                    }
                }
                for (RouteDefinition route : model.getRouteDefinitions()) {
                    route(name, lines, route);
                }
            } catch (Exception e) {
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
                problems.add(name + ": $: not a valid Camel YAML route file (" + message + ")");
            }
        }

        private void route(String file, List<String> lines, RouteDefinition route) {
            String id = route.getRouteId();
            int routeLine = id == null ? 0 : lineOf(lines, "id: " + id, 0);
            String at = file + (routeLine > 0 ? ":" + routeLine : "") + ": route '" + id + "'";
            if (id == null) {
                problems.add(file + ": route: a route needs an id");
            } else {
                String first = routeIds.putIfAbsent(id, file);
                if (first != null) {
                    problems.add(at + ": duplicate route id (also in " + first + ")");
                }
            }
            String configurationId = route.getRouteConfigurationId();
            if (configurationId != null) {
                afterAll.add(() -> {
                    if (!configurationIds.contains(configurationId)) {
                        problems.add(at + " routeConfigurationId: no routeConfiguration '" + configurationId
                                + "' in routes/ (defined: " + String.join(", ", configurationIds) + ")");
                    }
                });
            }
            FromDefinition from = route.getInput();
            if (from != null && from.getEndpointUri() != null) {
                component(file, lines, routeLine, at + " from", from.getEndpointUri());
                inbox(at, id, from.getEndpointUri());
            }
            List<String> uris = RouteAgreementCheck.toUris(route);
            for (int i = 0; i < uris.size(); i++) {
                String uri = uris.get(i);
                component(file, lines, routeLine, at + " step " + (i + 1) + " (to: " + uri + ")", uri);
            }
            if (connectors != null) {
                for (String problem : RouteSteps.problems(connectors, uris)) {
                    String uri = problem.substring(problem.indexOf("(to: ") + 5, problem.indexOf("): "));
                    problems.add(located(file, lines, routeLine, uri) + ": route '" + id + "' " + problem);
                }
            }
        }

        /**
         * {@code partners.yaml}'s {@code routes:} is enforced: a route reading a partner's SFTP inbox
         * ({@code file:{{caravan.sftp.root}}/<partner>/inbox}) must be listed under that partner, and every
         * listed route must exist.
         */
        void partners(Map<String, List<String>> routesByPartner, String partnersFile) {
            this.partnerRoutes = routesByPartner;
            this.partnersFile = partnersFile;
            afterAll.add(() -> {
                int i = 0;
                for (Map.Entry<String, List<String>> partner : routesByPartner.entrySet()) {
                    List<String> listed = partner.getValue();
                    for (int j = 0; j < listed.size(); j++) {
                        if (!routeIds.containsKey(listed.get(j))) {
                            problems.add(partnersFile + ": $.partners[" + i + "].routes[" + j + "]: no route '" + listed.get(j)
                                    + "' in routes/");
                        }
                    }
                    i++;
                }
            });
        }

        private void inbox(String at, String id, String uri) {
            java.util.regex.Matcher m = INBOX.matcher(uri);
            if (partnerRoutes == null || id == null || !m.find()) {
                return;
            }
            String partner = m.group(1);
            List<String> listed = partnerRoutes.get(partner);
            if (listed == null) {
                problems.add(at + " from: reads the inbox of partner '" + partner + "', which " + partnersFile
                        + " does not define (partners: " + String.join(", ", partnerRoutes.keySet()) + ")");
            } else if (!listed.contains(id)) {
                int index = new ArrayList<>(partnerRoutes.keySet()).indexOf(partner);
                problems.add(at + " from: reads the inbox of partner '" + partner + "', but $.partners[" + index
                        + "].routes of " + partnersFile + " does not list it (listed: " + String.join(", ", listed) + ")");
            }
        }

        /** The scheme of {@code uri} exists, and a Caravan step names something configured. */
        private void component(String file, List<String> lines, int routeLine, String where, String uri) {
            int colon = uri.indexOf(':');
            if (colon < 1) {
                return;
            }
            String scheme = uri.substring(0, colon);
            String target = uri.substring(colon + 1).replaceFirst("\\?.*", "");
            String place = located(file, lines, routeLine, uri) + where.substring(where.indexOf(": route "));
            if (!CARAVAN_COMPONENTS.contains(scheme) && !onClassPath(scheme)) {
                problems.add(place + ": unknown component '" + scheme + "' (Caravan's steps: "
                        + String.join(", ", new TreeSet<>(CARAVAN_COMPONENTS)) + ")");
                return;
            }
            switch (scheme) {
                case "consent" -> known(place, "purpose", target, purposes == null ? null : purposes.ids(), "config/purposes.yaml");
                case "pseudonymise" -> known(place, "privacy policy", target, policies == null ? null
                        : policies.all().stream().map(Policy::id).collect(Collectors.toSet()), "config/policies.yaml");
                case "consent-feed" -> known(place, "consent feed", target, feeds == null ? Set.of() : feeds.ids(),
                        "config/consent-feeds.yaml");
                case "taxonomy" -> known(place, "taxonomy", target, taxonomies, "config/campaign-taxonomy.yaml");
                default -> {
                    // harmonise, fetch and warehouse: RouteSteps
                }
            }
        }

        private void known(String place, String what, String id, Set<String> ids, String file) {
            if (ids != null && !ids.contains(id)) {
                problems.add(place + ": unknown " + what + " '" + id + "' (" + file + " defines "
                        + String.join(", ", new TreeSet<>(ids)) + ")");
            }
        }
    }

    /** {@code file:line} of the first line at or after the route's line that holds {@code text}, or {@code file}. */
    private static String located(String file, List<String> lines, int routeLine, String text) {
        int line = lineOf(lines, text, Math.max(routeLine - 1, 0));
        return line > 0 ? file + ":" + line : file;
    }

    private static int lineOf(List<String> lines, String text, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        return 0;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean onClassPath(String scheme) {
        return Validate.class.getClassLoader().getResource("META-INF/services/org/apache/camel/component/" + scheme) != null;
    }

    /**
     * The columns of a record table of the warehouse contract; for any other name (a view of the
     * migrations) every column is accepted, and start-up checks it against the database.
     */
    private static List<String> contractColumns(String table) {
        return io.caravan.connector.WarehouseTable.byName(table)
                .<List<String>>map(t -> {
                    List<String> columns = new ArrayList<>(io.caravan.connector.WarehouseTable.ENVELOPE.keySet());
                    columns.addAll(t.columns().keySet());
                    if (columns.contains("subject_token") && !t.tableName().equals("consent_event")) {
                        columns.add(io.caravan.pseudonymise.IdentitySeal.COLUMN); // the identity vault (migration V7_1)
                    }
                    return columns;
                })
                .orElseGet(AnyColumn::new);
    }

    /** A column list that contains every name: the table is not in the contract (a view). */
    private static final class AnyColumn extends AbstractList<String> {
        @Override
        public String get(int index) {
            return "*";
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public boolean contains(Object o) {
            return true;
        }
    }

    /** {@code file: $.path: message} with the line of {@code $.path} in the YAML file when it can be found. */
    private String withLine(String problem) {
        int cut = problem.indexOf(": $");
        if (cut < 0 || problem.substring(0, cut).matches(".*:\\d+")) {
            return problem;
        }
        String file = problem.substring(0, cut);
        int end = problem.indexOf(": ", cut + 2);
        String path = end < 0 ? problem.substring(cut + 2) : problem.substring(cut + 2, end);
        Path resolved = Path.of(file);
        if (!Files.isRegularFile(resolved)) {
            return problem;
        }
        int line = YamlLines.lineOf(resolved, path);
        return line > 0 ? file + ":" + line + problem.substring(cut) : problem;
    }

    private interface Loader<T> {
        T load();
    }

    private <T> T load(Loader<T> loader) {
        try {
            return loader.load();
        } catch (ConfigException e) {
            e.problems().forEach(p -> p.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(problems::add));
            return null;
        }
    }

    private void check(Runnable check) {
        load(() -> {
            check.run();
            return null;
        });
    }

    private static String display(Path file) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

}
