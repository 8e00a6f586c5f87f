package io.caravan.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;
import io.caravan.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The prod profile's Quartz settings (application-prod.yaml, as written) with the job store tables
 * of migration V3_20 in a real PostgreSQL: a cron route's trigger survives a node going down, and
 * after the downtime the missed fire times give exactly one catch-up run, then the schedule goes on.
 */
class QuartzClusterIT {

    @Test
    void afterDowntimeMissedCronFiresGiveExactlyOneCatchUpRun() throws Exception {
        DataSource database = TestDatabase.fresh("quartz_cluster_it");
        Properties quartz = prodQuartzProperties("quartz_cluster_it");
        quartz.setProperty("org.quartz.jobStore.misfireThreshold", "300");        // seconds in prod; short here
        quartz.setProperty("org.quartz.jobStore.clusterCheckinInterval", "500");

        List<Date> firstNode = new CopyOnWriteArrayList<>();
        try (DefaultCamelContext node = node(quartz, firstNode)) {
            node.start();
            await(() -> firstNode.size() >= 1);
        }
        Thread.sleep(3_500); // down long enough to miss three fire times
        Instant restart = Instant.now();
        List<Date> secondNode = new CopyOnWriteArrayList<>();
        try (DefaultCamelContext node = node(quartz, secondNode)) {
            node.start();
            await(() -> secondNode.stream().filter(QuartzClusterIT::onTheSecond).count() >= 2);
        }

        // A regular fire of "every second" is scheduled on the second; the catch-up of fire-once-now is
        // scheduled at the moment the misfire is handled. Missed times are not replayed one by one.
        assertThat(secondNode.stream().filter(d -> !onTheSecond(d)).count()).as("catch-up runs").isEqualTo(1);
        assertThat(secondNode).as("no missed fire time is replayed").allMatch(d -> !d.toInstant().isBefore(restart));
        assertThat(new JdbcTemplate(database).queryForObject("SELECT count(*) FROM caravan.qrtz_cron_triggers", Long.class))
                .as("the trigger lives in the shared job store").isEqualTo(1);
    }

    private static boolean onTheSecond(Date d) {
        return d.getTime() % 1000 == 0;
    }

    private static DefaultCamelContext node(Properties quartz, List<Date> fires) throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("caravan");
        QuartzComponent component = new QuartzComponent();
        component.setProperties(new java.util.HashMap<>(Map.copyOf(quartz)));
        camel.addComponent("quartz", component);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("quartz:caravan-api/it-sync?cron=0/1+*+*+*+*+?&stateful=true").routeId("it-sync")
                        .process(e -> fires.add(e.getIn().getHeader("scheduledFireTime", Date.class)));
            }
        });
        return camel;
    }

    /** camel.component.quartz.properties of application-prod.yaml with the database variables filled in. */
    private static Properties prodQuartzProperties(String database) throws Exception {
        JsonNode prod = new YAMLMapper().readTree(Path.of("src/main/resources/application-prod.yaml").toFile());
        JsonNode properties = prod.path("camel").path("component").path("quartz").path("properties");
        assertThat(properties.size()).isPositive();
        Properties result = new Properties();
        String url = "jdbc:postgresql://localhost:" + TestDatabase.server().getPort() + "/" + database;
        properties.properties().forEach(e -> result.setProperty(e.getKey().replaceAll("^\\[|]$", ""),
                e.getValue().asString().replace("${spring.datasource.url}", url).replace("${spring.datasource.username}", "postgres")
                        .replace("${spring.datasource.password}", "postgres")));
        return result;
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(50);
        }
    }
}
