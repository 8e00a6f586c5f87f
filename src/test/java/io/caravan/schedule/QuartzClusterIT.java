package io.caravan.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.testing.TestDatabase;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.quartz.CronExpression;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The prod profile's Quartz settings (application-prod.yaml, as written) with the job store tables
 * of migration V3_20 in a real PostgreSQL, shared by Caravan nodes (each a Camel context on a Quartz
 * scheduler of its own, as on separate hosts): while two nodes run, each fire time of a cron route
 * runs exactly once across them; a cron route's trigger survives the nodes going down, and after the
 * downtime the missed fire times give exactly one catch-up run, then the schedule goes on.
 *
 * <p>Nothing here depends on the machine being fast: runs are told apart by the fire times Quartz
 * reports (a run on schedule fires at the cron time after the previous run; a catch-up does not),
 * not by the wall clock; waits are conditions on what the nodes recorded; and a node stops its
 * scheduler, letting a running job finish, before its route stops, so no run is lost in between.
 */
class QuartzClusterIT {
    private static final String CRON = "0/1 * * * * ?";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(50);

    @Test
    void twoNodesOnTheSharedStoreRunEachFireTimeExactlyOnce() throws Exception {
        DataSource database = TestDatabase.fresh("quartz_pair_it");
        Properties quartz = prodQuartzProperties("quartz_pair_it");
        quartz.setProperty("org.quartz.jobStore.clusterCheckinInterval", "500"); // 15 s in prod; short here
        JdbcTemplate jdbc = new JdbcTemplate(database);

        List<Fire> fires;
        try (Node first = Node.start("node-1", quartz); Node second = Node.start("node-2", quartz)) {
            await("both nodes checked in to the cluster").atMost(WAIT).pollInterval(POLL).untilAsserted(() ->
                    assertThat(jdbc.queryForList("SELECT instance_name FROM caravan.qrtz_scheduler_state", String.class))
                            .containsExactlyInAnyOrder("node-1", "node-2"));
            Instant bothUp = Instant.now();
            await("five runs while both nodes are up").atMost(WAIT).pollInterval(POLL).until(() ->
                    Stream.concat(first.fires.stream(), second.fires.stream()).filter(f -> f.scheduled().isAfter(bothUp)).count() >= 5);
            assertThat(first.isRunning()).as("node-1 alive through the runs").isTrue();
            assertThat(second.isRunning()).as("node-2 alive through the runs").isTrue();
            first.stop();
            second.stop();
            fires = Stream.concat(first.fires.stream(), second.fires.stream()).sorted(Comparator.comparing(Fire::scheduled)).toList();
        }

        assertThat(fires).extracting(Fire::scheduled).as("each fire time runs on one node only").doesNotHaveDuplicates();
        for (int i = 1; i < fires.size(); i++) {
            Fire fire = fires.get(i);
            assertThat(fire.previous()).as("run %d of %s follows the run before it", i, fires).isEqualTo(fires.get(i - 1).scheduled());
            assertThat(onSchedule(fire)).as("run %d of %s is the schedule's next fire time: none is skipped", i, fires).isTrue();
        }
    }

    @Test
    void afterDowntimeMissedCronFiresGiveExactlyOneCatchUpRun() throws Exception {
        DataSource database = TestDatabase.fresh("quartz_cluster_it");
        Properties quartz = prodQuartzProperties("quartz_cluster_it");
        Duration misfireThreshold = Duration.ofSeconds(5);      // 60 s in prod; short here, yet longer than a busy machine is late
        quartz.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(misfireThreshold.toMillis()));
        quartz.setProperty("org.quartz.jobStore.clusterCheckinInterval", "500");
        JdbcTemplate jdbc = new JdbcTemplate(database);

        List<Fire> firstNode;
        try (Node node = Node.start("node-1", quartz)) {
            await("two runs on the first node").atMost(WAIT).pollInterval(POLL).until(() -> node.fires.size() >= 2);
            node.stop();
            firstNode = List.copyOf(node.fires);
        }
        // down long enough that the first fire time missed is older than the misfire threshold: it counts as missed
        Instant firstMissed = Instant.ofEpochMilli(jdbc.queryForObject("SELECT next_fire_time FROM caravan.qrtz_triggers", Long.class));
        await("the first missed fire time to be older than the misfire threshold").atMost(WAIT).pollInterval(POLL)
                .until(() -> Instant.now().isAfter(firstMissed.plus(misfireThreshold).plusSeconds(1)));
        Instant restart = Instant.now();
        List<Fire> secondNode;
        try (Node node = Node.start("node-2", quartz)) {
            await("three runs on the second node").atMost(WAIT).pollInterval(POLL).until(() -> node.fires.size() >= 3);
            node.stop();
            secondNode = List.copyOf(node.fires);
        }

        // A regular run fires at the cron time after the previous run; the catch-up of fire-once-now fires at
        // the moment the misfire is handled, in place of every missed time. Missed times are not replayed one by one.
        assertThat(secondNode.stream().filter(f -> !onSchedule(f)).count()).as("catch-up runs in %s", secondNode).isEqualTo(1);
        assertThat(secondNode.get(0).previous()).as("the catch-up comes first and follows the last run before the downtime")
                .isEqualTo(firstNode.get(firstNode.size() - 1).scheduled());
        assertThat(secondNode).as("no missed fire time is replayed").allMatch(f -> !f.scheduled().isBefore(restart));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.qrtz_cron_triggers", Long.class))
                .as("the trigger lives in the shared job store").isEqualTo(1);
    }

    /** One run of the route: the fire time Quartz scheduled it for, and the one of the run before (null for the first). */
    record Fire(Instant scheduled, Instant previous) {
    }

    /** Whether a run fired at the cron time that follows the previous run, as a regular run does. */
    private static boolean onSchedule(Fire fire) {
        try {
            return fire.previous() != null
                    && new CronExpression(CRON).getTimeAfter(Date.from(fire.previous())).toInstant().equals(fire.scheduled());
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A Caravan node: a Camel context named {@code caravan} with a stateful cron route that records its
     * runs, on a Quartz scheduler of its own (instance id {@code id}, connection pool of its own) in the
     * clustered job store.
     */
    private static final class Node implements AutoCloseable {
        final List<Fire> fires = new CopyOnWriteArrayList<>();
        private final Scheduler scheduler;
        private final DefaultCamelContext camel = new DefaultCamelContext();

        private Node(Scheduler scheduler) {
            this.scheduler = scheduler;
        }

        static Node start(String id, Properties cluster) throws Exception {
            Properties properties = new Properties();
            String pool = "caravan_" + id.replace('-', '_');
            cluster.stringPropertyNames().forEach(key -> properties.setProperty(
                    key.replace("org.quartz.dataSource.caravan.", "org.quartz.dataSource." + pool + "."), cluster.getProperty(key)));
            properties.setProperty("org.quartz.jobStore.dataSource", pool);
            properties.setProperty("org.quartz.scheduler.instanceId", id); // AUTO in prod: host name and start time
            Scheduler scheduler = new StdSchedulerFactory(properties).getScheduler();
            // Quartz hands out one scheduler per name in a JVM; a node on a host of its own has its own
            SchedulerRepository.getInstance().remove(scheduler.getSchedulerName());

            Node node = new Node(scheduler);
            node.camel.getCamelContextExtension().setName("caravan");
            QuartzComponent component = new QuartzComponent();
            component.setScheduler(scheduler);
            node.camel.addComponent("quartz", component);
            node.camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("quartz:caravan-api/it-sync?cron=" + CRON.replace(' ', '+') + "&stateful=true").routeId("it-sync")
                            .process(e -> node.fires.add(new Fire(e.getIn().getHeader("scheduledFireTime", Date.class).toInstant(),
                                    instant(e.getIn().getHeader("previousFireTime", Date.class)))));
                }
            });
            node.camel.start();
            return node;
        }

        boolean isRunning() throws SchedulerException {
            return scheduler.isStarted() && !scheduler.isInStandbyMode() && !scheduler.isShutdown();
        }

        /** Stops as a host going down cleanly: the scheduler first, letting a running job finish, then the route. */
        void stop() throws SchedulerException {
            scheduler.shutdown(true);
            camel.stop();
        }

        @Override
        public void close() throws Exception {
            stop();
            camel.close();
        }

        private static Instant instant(Date date) {
            return date == null ? null : date.toInstant();
        }
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
}
