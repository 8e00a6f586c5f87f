package io.caravan.platform;

import static org.awaitility.Awaitility.await;

import io.caravan.CaravanApplication;
import io.caravan.testing.LocalEnvFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Caravan's embedded default as README command 1 starts it, in a JVM of its own (so it can be
 * killed for real), with the test JVM's class path and the repository as working directory
 * (routes, connectors, config). Its output goes to a log file beside the data directory.
 *
 * <p>{@link #close()} leaves nothing running: it stops the JVM (SIGTERM, so its shutdown stops the
 * embedded PostgreSQL; SIGKILL if that takes too long) and then any PostgreSQL still serving the
 * data directory, such as one a killed JVM left behind.
 */
final class CaravanProcess implements AutoCloseable {
    private final Process process;
    private final Path dataDir;
    private final Path log;

    private CaravanProcess(Process process, Path dataDir, Path log) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
    }

    /**
     * Starts Caravan on {@code dataDir} with samples and the SFTP gateway off, the API on a free
     * port and PostgreSQL on {@code postgresPort}, plus {@code extraArgs} ({@code --name=value}).
     * {@code local.env} of an earlier run is removed first, so {@link #awaitWarehouse} reads this run's.
     */
    static CaravanProcess start(Path dataDir, int postgresPort, Path log, String... extraArgs) throws IOException {
        Files.deleteIfExists(dataDir.resolve("local.env"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                // the test JVM's class path; under surefire a manifest-only jar whose manifest lists it
                "-cp", System.getProperty("java.class.path"),
                CaravanApplication.class.getName(),
                "--caravan.data-dir=" + dataDir,
                "--caravan.samples.seed=false",
                "--caravan.sftp.gateway.enabled=false",
                "--caravan.embedded.postgres-port=" + postgresPort,
                "--server.port=0"));
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command)
                .directory(Path.of(System.getProperty("user.dir")).toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        process.getOutputStream().close();
        return new CaravanProcess(process, dataDir, log);
    }

    Process process() {
        return process;
    }

    /** This run's log (the application logs no row values and no credentials). */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until this run's embedded warehouse answers, with the connection settings this run
     * wrote to {@code local.env}; fails early if the process ends first.
     */
    JdbcTemplate awaitWarehouse(Duration timeout) {
        return await("the warehouse of " + log.getFileName()).atMost(timeout).pollInterval(Duration.ofMillis(250))
                .failFast("Caravan ended before its warehouse answered; see " + log, () -> !process.isAlive())
                .ignoreExceptions()
                .until(() -> {
                    LocalEnvFile env = LocalEnvFile.in(dataDir);
                    DriverManagerDataSource dataSource = new DriverManagerDataSource(
                            "jdbc:postgresql://localhost:" + env.get("PGPORT") + "/" + env.get("PGDATABASE")
                                    + "?logServerErrorDetail=false", env.get("PGUSER"), env.get("PGPASSWORD"));
                    JdbcTemplate jdbc = new JdbcTemplate(dataSource);
                    jdbc.queryForObject("SELECT count(*) FROM caravan.batch", Long.class);
                    return jdbc;
                }, jdbc -> jdbc != null);
    }

    /** Kills the JVM with SIGKILL (on Linux {@link Process#destroyForcibly()} sends it) and waits for it; returns its exit code. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the Caravan JVM did not die within 30 s of SIGKILL");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
        stopServerLeftIn(dataDir.resolve("pg"));
    }

    /**
     * Stops a PostgreSQL still serving {@code pgDir} (cleanly if it can, else with SIGKILL), so
     * that no test leaves one behind whatever state it failed in.
     */
    static void stopServerLeftIn(Path pgDir) {
        try {
            OrphanPostgres.clear(pgDir, Duration.ofSeconds(30));
        } catch (RuntimeException notCleanly) {
            Optional<PostmasterPid> left = readPid(pgDir);
            left.flatMap(pid -> ProcessHandle.of(pid.pid()))
                    .filter(p -> OrphanPostgres.identify(p, pgDir) == OrphanPostgres.Identity.THIS_DIRECTORY)
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** What {@code postmaster.pid} in {@code pgDir} says, if it exists and names a process. */
    static Optional<PostmasterPid> readPid(Path pgDir) {
        Path file = pgDir.resolve(PostmasterPid.FILE_NAME);
        try {
            return Files.exists(file) ? PostmasterPid.parse(Files.readString(file, StandardCharsets.ISO_8859_1))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
