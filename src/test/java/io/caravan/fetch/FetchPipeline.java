package io.caravan.fetch;

import io.caravan.schedule.ConnectorStates;
import io.caravan.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The real pipeline steps for API connectors, as a route uses them: harmonise, ingest, ledger,
 * deliver, fetch, schedule and taxonomy component-scanned into a Spring context on a fresh
 * PostgreSQL, with the connectors a test writes, and a Camel context whose route
 * {@code direct:<connector>} runs {@code fetch: → harmonise: → taxonomy: (campaigns) → warehouse:}.
 * The fetch engine's clock can be moved and its waits are recorded (and really waited).
 */
final class FetchPipeline implements AutoCloseable {
    final AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext();
    final CamelContext camel = new DefaultCamelContext();
    final JdbcTemplate jdbc;
    final MovableClock clock = new MovableClock(Instant.parse("2026-11-22T06:00:00Z"));
    final List<Duration> waits = new CopyOnWriteArrayList<>();

    FetchPipeline(String database, Path connectors, Map<String, Object> properties, String... connectorIds) throws Exception {
        DataSource dataSource = TestDatabase.fresh(database);
        jdbc = new JdbcTemplate(dataSource);
        Map<String, Object> config = new java.util.HashMap<>(properties);
        config.put("caravan.connectors-dir", connectors.toString());
        config.put("caravan.config-dir", "config");
        spring.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", config));
        spring.registerBean(DataSource.class, () -> dataSource);
        spring.registerBean(FetchEngine.class, () -> new FetchEngine(spring.getEnvironment()::getProperty,
                java.net.InetAddress::getAllByName, d -> {
                    waits.add(d);
                    Thread.sleep(d.toMillis());
                }, clock));
        spring.scan("io.caravan.connector", "io.caravan.harmonise", "io.caravan.ingest", "io.caravan.ledger",
                "io.caravan.schedule", "io.caravan.taxonomy");
        // the warehouse step of io.caravan.deliver, without the partner exports and overlaps beside it
        org.springframework.context.annotation.ClassPathBeanDefinitionScanner deliver =
                new org.springframework.context.annotation.ClassPathBeanDefinitionScanner(spring);
        deliver.addExcludeFilter(new org.springframework.core.type.filter.RegexPatternTypeFilter(
                java.util.regex.Pattern.compile("io\\.caravan\\.deliver\\.(Export|Overlap).*")));
        deliver.scan("io.caravan.deliver");
        spring.register(FetchComponent.class);
        spring.refresh();
        for (String name : List.of("fetch", "harmonise", "taxonomy", "warehouse")) {
            camel.getRegistry().bind(name, spring.getBean(name));
        }
        camel.getPropertiesComponent().addPropertiesSource(spring.getBean(org.apache.camel.spi.PropertiesSource.class));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (String id : connectorIds) {
                    boolean campaigns = id.startsWith("it-ads") || id.startsWith("it-meta");
                    var route = from("direct:" + id).routeId(id).to("fetch:" + id).to("harmonise:" + id);
                    if (campaigns) {
                        route = route.to("taxonomy:campaigns");
                    }
                    route.to("warehouse:" + (campaigns ? "campaign_performance" : "lead"));
                }
            }
        });
        camel.start();
    }

    /** Adds routes (e.g. a Quartz one) to the running Camel context. */
    void addRoutes(RouteBuilder routes) throws Exception {
        camel.addRoutes(routes);
    }

    /** Runs a connector's route once; returns the exchange (its exception, if any, is not thrown). */
    Exchange run(String connectorId) {
        return camel.createProducerTemplate().send("direct:" + connectorId, e -> { });
    }

    ConnectorStates states() {
        return spring.getBean(ConnectorStates.class);
    }

    Map<String, Object> lastBatch(String routeId) {
        return jdbc.queryForMap("SELECT * FROM caravan.batch WHERE route_id = ? ORDER BY started_at DESC, batch_id DESC LIMIT 1", routeId);
    }

    List<Object> counts(Map<String, Object> batch) {
        return List.of(batch.get("status"), batch.get("rows_in"), batch.get("rows_delivered"), batch.get("rows_rejected"),
                batch.get("rows_duplicate"));
    }

    String watermark(String connectorId) {
        return states().find(connectorId).map(s -> s.watermark()).orElse(null);
    }

    static void write(Path dir, String file, String yaml) throws IOException {
        Files.writeString(dir.resolve(file), yaml);
    }

    @Override
    public void close() {
        try {
            camel.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            spring.close();
        }
    }

    /** A clock the test moves forward. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }
}
