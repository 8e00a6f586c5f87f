package io.caravan.lineage;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.consent.PurposeRegistry;
import io.caravan.ledger.Ledger;
import io.caravan.pseudonymise.PolicyRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires OpenLineage: the configuration read the OpenLineage way at start-up (a fault stops
 * Caravan, naming the file or variable), one queued sink per destination (the configured transport,
 * and the database unless {@code caravan.lineage.keep-events=false}; the database alone when no
 * transport is configured), and the ledger listener that turns batches into run events.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LineageProperties.class)
@ConditionalOnProperty(name = "caravan.lineage.enabled", havingValue = "true", matchIfMissing = true)
class LineageConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(LineageConfiguration.class);

    @Bean
    LineageConfigLoader.Loaded lineageConfig(LineageProperties properties) {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (properties.configFile() != null && !properties.configFile().isBlank()) {
            env.putIfAbsent("OPENLINEAGE_CONFIG", properties.configFile());
        }
        String home = System.getProperty("user.home");
        LineageConfigLoader.Loaded loaded = new LineageConfigLoader(env, Path.of("").toAbsolutePath(),
                home == null ? null : Path.of(home)).load();
        LOG.info("lineage: {}", loaded.disabled() ? "disabled by OPENLINEAGE_DISABLED"
                : loaded.embeddedDefault() ? "no OpenLineage transport configured; run events are kept in caravan.lineage_event"
                : "OpenLineage " + loaded.transportType() + " transport from " + loaded.source());
        return loaded;
    }

    @Bean(destroyMethod = "close")
    LineageEmitter lineageEmitter(LineageConfigLoader.Loaded config, LineageProperties properties, DataSource dataSource,
                                  MeterRegistry meters) {
        List<AsyncTransport> sinks = new ArrayList<>();
        if (!config.disabled()) {
            if (config.config().isPresent()) {
                sinks.add(new AsyncTransport(config.transportType(), LineageTransports.build(config, properties.trustCertificates()),
                        properties.queueCapacity(), meters));
            }
            if (config.embeddedDefault() || properties.keepEvents()) {
                sinks.add(new AsyncTransport("database", new DatabaseTransport(dataSource), properties.queueCapacity(), meters));
            }
        }
        return new LineageEmitter(sinks);
    }

    @Bean
    BatchEvents batchEvents(LineageProperties properties, DataSource dataSource) {
        return new BatchEvents(properties.producer(), properties.privacyFacetSchema(), properties.batchFacetSchema(),
                warehouseNamespace(dataSource));
    }

    @Bean(destroyMethod = "close")
    BatchLineage batchLineage(Ledger ledger, BatchEvents events, LineageEmitter emitter, CamelContext camel,
                              ConnectorRegistry connectors, PolicyRegistry policies, PurposeRegistry purposes,
                              LineageProperties properties, Environment environment) {
        Path gatewayRoot = Path.of(environment.getProperty("caravan.sftp.root",
                environment.getProperty("caravan.data-dir", "data") + "/sftp"));
        SourceDatasets sources = new SourceDatasets(gatewayRoot, properties.gatewayNamespace(), localHost(),
                text -> camel.resolvePropertyPlaceholders(text));
        return new BatchLineage(ledger, events, emitter, new CamelRoutes(camel, Path.of("")), sources,
                connectors, policies, purposes);
    }

    @Bean(destroyMethod = "close")
    OperationLineage operationLineage(DataSource dataSource, tools.jackson.databind.ObjectMapper json, LineageProperties properties,
                                      BatchEvents batchEvents, LineageEmitter emitter, PolicyRegistry policies,
                                      PurposeRegistry purposes) {
        OperationEvents events = new OperationEvents(properties.producer(), properties.privacyFacetSchema(),
                properties.operationFacetSchema(), batchEvents.warehouseNamespace(), properties.gatewayNamespace());
        return new OperationLineage(dataSource, json, events, emitter, policies, purposes, properties.pollInterval(), properties.keepFor());
    }

    /** {@code postgres://host:port} of the warehouse, from the JDBC URL (no user, no password, no parameters). */
    static String warehouseNamespace(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return namespaceOf(connection.getMetaData().getURL());
        } catch (SQLException e) {
            return "postgres://unknown";
        }
    }

    static String namespaceOf(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            return "postgres://unknown";
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        String host = uri.getHost() == null ? "localhost" : uri.getHost();
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        return "postgres://" + host + ":" + port;
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
