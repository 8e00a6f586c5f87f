package io.caravan.harmonise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteAgreementCheckTest {
    private static final ConnectorRegistry CONNECTORS = new ConnectorRegistry(Path.of("connectors"),
            Path.of("config/vocabularies.yaml"), Set.of("csv", "fixed-width", "adf-xml", "json"));

    @TempDir
    Path dir;

    @Test
    void aRouteThatSendsAConnectorToAnotherTableIsRefusedWithFileRouteAndStep() throws Exception {
        Path route = dir.resolve("sales.camel.yaml");
        Files.writeString(route, """
                - route:
                    id: wrong-table
                    from:
                      uri: direct:in
                      steps:
                        - to: harmonise:dealer-nord-sales
                        - to: consent:analytics
                        - to: warehouse:lead
                """);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addModelLifecycleStrategy(new RouteAgreementCheck(CONNECTORS));
            assertThatThrownBy(() -> PluginHelper.getRoutesLoader(camel)
                    .loadRoutes(ResourceHelper.resolveResource(camel, "file:" + route)))
                    .satisfies(e -> assertThat(rootConfigException(e).getMessage()).isEqualTo(route
                            + ": route 'wrong-table' step 3 (to: warehouse:lead): connector 'dealer-nord-sales' makes records"
                            + " of table sale ($.record of connectors/dealer/dealer-nord-sales.yaml), not lead"));
        }
    }

    @Test
    void theRepositorysRoutesAgreeWithTheirDescriptors() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext();
             var files = Files.walk(Path.of("routes"))) {
            camel.addModelLifecycleStrategy(new RouteAgreementCheck(CONNECTORS));
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveResource(camel, "file:" + file));
            }
            assertThat(camel.getRouteDefinitions()).hasSizeGreaterThan(10);
        }
    }

    private static ConfigException rootConfigException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException config) {
                return config;
            }
        }
        throw new AssertionError("no ConfigException in " + e);
    }
}
