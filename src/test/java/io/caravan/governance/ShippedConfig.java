package io.caravan.governance;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.connector.WarehouseTable;
import io.caravan.consent.PurposeRegistry;
import io.caravan.deliver.AgreementRegistry;
import io.caravan.harmonise.RouteAgreementCheck;
import io.caravan.pseudonymise.PolicyRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The repository's own configuration, loaded with the loaders start-up uses, as {@link RecordInputs}. */
final class ShippedConfig {
    private ShippedConfig() {
    }

    static RecordInputs inputs() {
        return inputs(Path.of("config"), Path.of("routes"));
    }

    static RecordInputs inputs(Path config, Path routes) {
        PurposeRegistry purposes = PurposeRegistry.load(config.resolve("purposes.yaml"));
        PolicyRegistry policies = PolicyRegistry.load(config.resolve("policies.yaml"));
        AgreementRegistry agreements = AgreementRegistry.load(config.resolve("agreements.yaml"), policies, purposes,
                ShippedConfig::contractColumns, text -> text);
        ConnectorRegistry connectors = new ConnectorRegistry(Path.of("connectors"), config.resolve("vocabularies.yaml"),
                Set.of("csv", "fixed-width", "adf-xml", "json"));
        JsonNode application = readYaml(config.resolve("application.yaml"));
        Map<String, String> retention = new TreeMap<>();
        application.path("caravan").path("retention").path("tables").properties()
                .forEach(e -> retention.put(e.getKey(), e.getValue().asString()));
        JsonNode archive = application.path("caravan").path("retention").path("archive");
        return new RecordInputs(purposes, connectors, policies, agreements, routes(routes),
                GovernanceFiles.partners(config.resolve("partners.yaml")), GovernanceFiles.feeds(config.resolve("consent-feeds.yaml")),
                GovernanceFiles.tcf(config.resolve("tcf.yaml")), retention, archive.path("max-age").asString(), Map.of(),
                new ProcessingRecord.Contact("Caravan Demo Motors GmbH", "privacy@example.com", null, null),
                new ProcessingRecord.Contact("Data Protection Officer", "dpo@example.com", null, null),
                Map.of("purposes", "config/purposes.yaml", "policies", "config/policies.yaml",
                        "agreements", "config/agreements.yaml", "partners", "config/partners.yaml",
                        "retention", "caravan.retention.* (config/application.yaml)"));
    }

    private static JsonNode readYaml(Path file) {
        try {
            return new YAMLMapper().readTree(Files.readString(file).split("\n---")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every route of {@code routes/} (the embedded default's, sandbox routes included), read with Camel's YAML DSL. */
    static List<RecordInputs.RouteInfo> routes(Path dir) {
        List<RecordInputs.RouteInfo> routes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir); DefaultCamelContext camel = new DefaultCamelContext()) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (RoutesBuilder builder : PluginHelper.getRoutesLoader(camel)
                        .findRoutesBuilders(ResourceHelper.resolveResource(camel, "file:" + file))) {
                    builder.addRoutesToCamelContext(camel);
                }
            }
            for (RouteDefinition route : camel.getRouteDefinitions()) {
                String location = route.getResource().getLocation();
                routes.add(new RecordInputs.RouteInfo(route.getRouteId(), location.substring(location.indexOf(':') + 1),
                        route.getInput().getEndpointUri(), RouteAgreementCheck.toUris(route)));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        routes.sort(Comparator.comparing(RecordInputs.RouteInfo::id));
        return routes;
    }

    static List<String> contractColumns(String table) {
        return WarehouseTable.byName(table).<List<String>>map(t -> {
            List<String> columns = new ArrayList<>(WarehouseTable.ENVELOPE.keySet());
            columns.addAll(t.columns().keySet());
            return columns;
        }).orElse(List.of());
    }
}
