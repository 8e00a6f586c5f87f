package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.CaravanApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The real application, started as README command 1 starts it (embedded PostgreSQL, generated
 * keys and users, routes and connectors of the repository), on a data directory of the test's
 * own, so a test can stop it and start it again on the same state.
 */
final class CaravanApp implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final ConfigurableApplicationContext context;
    private final JdbcTemplate jdbc;

    private CaravanApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.jdbc = new JdbcTemplate(context.getBean(DataSource.class));
    }

    static CaravanApp start(Path dataDir, String... extraProperties) {
        List<String> args = new ArrayList<>(List.of(
                "--caravan.data-dir=" + dataDir,
                "--caravan.embedded.postgres-port=0",
                "--server.port=0",
                "--caravan.sftp.gateway.port=0"));
        if (java.util.Arrays.stream(extraProperties).noneMatch(p -> p.startsWith("caravan.samples.seed="))) {
            args.add("--caravan.samples.seed=false");
        }
        for (String p : extraProperties) {
            args.add("--" + p);
        }
        return new CaravanApp(new SpringApplicationBuilder(CaravanApplication.class).run(args.toArray(String[]::new)));
    }

    /** A configuration value of the running application (e.g. a credential the sandbox generated). */
    String property(String key) {
        return context.getEnvironment().getProperty(key);
    }

    /** The port the API listens on. */
    int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** The batch of a route whose source is {@code source}, waiting until one has finished. */
    Map<String, Object> awaitBatchOf(String routeId, String source, Duration timeout) {
        return await("a finished batch of " + routeId + " for " + source).atMost(timeout).pollInterval(POLL)
                .until(() -> jdbc.queryForList("SELECT * FROM caravan.batch WHERE route_id = ? AND source = ? AND status <> 'running'",
                        routeId, source), batches -> !batches.isEmpty())
                .get(0);
    }

    JdbcTemplate jdbc() {
        return jdbc;
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** Waits until {@code count} batches of a route have finished (completed or failed); returns them oldest first. */
    List<Map<String, Object>> awaitBatches(String routeId, int count, Duration timeout) {
        AtomicReference<List<Map<String, Object>>> finished = new AtomicReference<>(List.of());
        await(count + " finished batches of " + routeId).atMost(timeout).pollInterval(POLL).untilAsserted(() -> {
            finished.set(jdbc.queryForList(
                    "SELECT * FROM caravan.batch WHERE route_id = ? AND status <> 'running' ORDER BY started_at", routeId));
            assertThat(finished.get().size()).as("finished batches of route %s", routeId).isGreaterThanOrEqualTo(count);
        });
        return finished.get();
    }

    @Override
    public void close() {
        context.close();
    }
}
