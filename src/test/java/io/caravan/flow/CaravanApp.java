package io.caravan.flow;

import io.caravan.CaravanApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /** The port the API listens on. */
    int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** The batches of a route whose source is {@code source}, waiting until one has finished. */
    Map<String, Object> awaitBatchOf(String routeId, String source, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Map<String, Object>> batches = jdbc.queryForList(
                    "SELECT * FROM caravan.batch WHERE route_id = ? AND source = ? AND status <> 'running'", routeId, source);
            if (!batches.isEmpty()) {
                return batches.get(0);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no finished batch of " + routeId + " for " + source + " within " + timeout);
    }

    JdbcTemplate jdbc() {
        return jdbc;
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** Waits until {@code count} batches of a route have finished (completed or failed); returns them oldest first. */
    List<Map<String, Object>> awaitBatches(String routeId, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Map<String, Object>> batches = List.of();
        while (System.nanoTime() < deadline) {
            batches = jdbc.queryForList("SELECT * FROM caravan.batch WHERE route_id = ? AND status <> 'running' ORDER BY started_at", routeId);
            if (batches.size() >= count) {
                return batches;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("route " + routeId + " finished " + batches.size() + " of " + count + " batches within " + timeout);
    }

    @Override
    public void close() {
        context.close();
    }
}
