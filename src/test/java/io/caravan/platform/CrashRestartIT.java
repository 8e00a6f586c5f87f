package io.caravan.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.caravan.ledger.BatchSummary;
import io.caravan.pseudonymise.Archive;
import io.caravan.pseudonymise.ArchiveRetention;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.testing.DealerNordExport;
import io.caravan.testing.LocalEnvFile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue #10 as an operator meets it: Caravan's embedded default, in a JVM of its own, is killed
 * with SIGKILL in the middle of a 100,000-row file, while the batch is running and rows of it sit
 * uncommitted in the warehouse. Its PostgreSQL outlives it. Caravan is started again on the same
 * data directory, with nobody cleaning up in between, and must start, stop the left-over server,
 * fail the interrupted batch and ingest the file again, every row exactly once.
 *
 * <p>Linux only: it relies on {@link Process#destroyForcibly()} sending SIGKILL there. Every
 * process it starts, and any PostgreSQL they leave, is stopped after the test whatever happens.
 */
@EnabledOnOs(OS.LINUX)
class CrashRestartIT {
    private static final int ROWS = 100_000;
    private static final String ROUTE = "dealer-nord-sales";
    private static final String FILE = "verkaeufe_2026-11.csv";
    /** Heap of caravan.sale written by the running batch before the kill: about 20,000 rows (about 820 bytes a row). */
    private static final long UNCOMMITTED_BYTES = 16L << 20;

    @TempDir
    Path work;

    private final List<CaravanProcess> started = new ArrayList<>();

    @AfterEach
    void stopEverythingStarted() throws InterruptedException {
        for (CaravanProcess caravan : started) {
            caravan.close();
        }
    }

    @Test
    void aNodeKilledMidFileRestartsUnaidedAndIngestsEveryRowExactlyOnce() throws Exception {
        Path data = work.resolve("data");
        Path inbox = data.resolve("sftp/dealer-nord/inbox");
        Files.createDirectories(inbox);
        Path export = work.resolve(FILE);
        long bytes = DealerNordExport.write(export, ROWS);
        int postgresPort = freePort();

        // 1. first run: the file arrives, the batch runs, and the JVM is killed in the middle of it
        long t0 = System.nanoTime();
        CaravanProcess first = start(data, postgresPort, "first.log");
        JdbcTemplate warehouse = first.awaitWarehouse(Duration.ofSeconds(120));
        double firstStart = seconds(t0);
        Files.move(export, inbox.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
        Files.createFile(inbox.resolve(FILE + ".ready")); // as the SFTP gateway marks a complete upload
        long dropped = System.nanoTime();
        long uncommitted = await("rows of the running batch in caravan.sale, none committed")
                .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> inFlight(warehouse), written -> written >= UNCOMMITTED_BYTES);
        double killedAfter = seconds(dropped);
        int exit = first.kill();
        assertThat(exit).as("exit code of a JVM killed by SIGKILL (128 + 9)").isEqualTo(137);
        PostmasterPid orphan = CaravanProcess.readPid(data.resolve("pg")).orElseThrow();
        assertThat(ProcessHandle.of(orphan.pid()).filter(ProcessHandle::isAlive))
                .as("the embedded PostgreSQL outlives the killed JVM").isPresent();

        String firstPort = LocalEnvFile.in(data).get("PGPORT");

        // 2. second run on the same data directory, nobody having cleaned up
        long t1 = System.nanoTime();
        CaravanProcess second = start(data, postgresPort, "second.log");
        JdbcTemplate recovered = second.awaitWarehouse(Duration.ofSeconds(120));
        double secondStart = seconds(t1);
        Map<String, Object> completed = await("the file ingested again").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> recovered.queryForList("SELECT * FROM caravan.batch WHERE route_id = ? AND status = ?",
                        ROUTE, BatchSummary.COMPLETED), batches -> !batches.isEmpty())
                .get(0);
        double recoveredAfter = seconds(t1);
        assertThat(second.process().isAlive()).as("the second run is up").isTrue();
        assertThat(second.log()).doesNotContain("postmaster.pid\" already exists")
                .contains("Stopped the left-over PostgreSQL (process " + orphan.pid() + ")");
        assertThat(ProcessHandle.of(orphan.pid()).filter(ProcessHandle::isAlive)).as("the left-over server").isEmpty();
        assertThat(LocalEnvFile.in(data).get("PGPORT"))
                .as("the port the left-over server held").isEqualTo(firstPort);

        // the ledger: the interrupted batch failed, the file's new batch completed with exact counts
        assertThat(recovered.queryForObject("SELECT count(*) FROM caravan.batch WHERE status = 'running'", Long.class))
                .as("batches still running").isZero();
        List<Map<String, Object>> batches = recovered.queryForList(
                "SELECT batch_id, status, source, error, rows_in FROM caravan.batch WHERE route_id = ? ORDER BY started_at",
                ROUTE);
        assertThat(batches).extracting(b -> b.get("status"), b -> b.get("source"), b -> b.get("error"), b -> b.get("rows_in"))
                .containsExactly(
                        tuple(BatchSummary.FAILED, FILE, InterruptedBatches.REASON, 0L),
                        tuple(BatchSummary.COMPLETED, FILE, null, (long) ROWS));
        assertThat(completed).containsEntry("rows_in", (long) ROWS).containsEntry("rows_delivered", (long) ROWS)
                .containsEntry("rows_rejected", 0L).containsEntry("rows_consent_filtered", 0L)
                .containsEntry("rows_suppressed", 0L).containsEntry("rows_duplicate", 0L)
                .containsEntry("warnings", 0L);
        String interrupted = (String) batches.get(0).get("batch_id");
        assertThat(recovered.queryForObject("SELECT count(*) FROM caravan.rejection WHERE batch_id = ?", Long.class,
                interrupted) + recovered.queryForObject("SELECT count(*) FROM caravan.batch_warning WHERE batch_id = ?",
                Long.class, interrupted)).as("issues stored by the interrupted batch").isZero();

        // the warehouse: every row exactly once, all written by the completed batch
        Map<String, Object> sale = recovered.queryForMap("SELECT count(*) AS n, count(DISTINCT record_key) AS keys,"
                + " count(DISTINCT sale_id) AS sales, count(*) FILTER (WHERE batch_id = ?) AS by_batch,"
                + " min(sale_id) AS first, max(sale_id) AS last FROM caravan.sale", completed.get("batch_id"));
        assertThat(sale).containsEntry("n", (long) ROWS).containsEntry("keys", (long) ROWS)
                .containsEntry("sales", (long) ROWS).containsEntry("by_batch", (long) ROWS)
                .containsEntry("first", "HH-2026-000001").containsEntry("last", "HH-2026-100000");

        // the file: kept in .done/ under the completed batch's id, encrypted (.tink), nothing left in the inbox;
        // the archive opens it back to the same number of bytes
        Path kept = inbox.resolve(".done/" + completed.get("batch_id") + "-" + FILE + Archive.SUFFIX);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(kept));
        assertThat(inbox.resolve(".done/" + completed.get("batch_id") + "-" + FILE)).doesNotExist();
        Archive archive = new Archive(recovered.getDataSource(), GeneratedKeyRing.open(data.resolve("keys"), List.of()),
                new ArchiveRetention(null, null), java.time.Clock.systemUTC());
        try (java.io.InputStream plain = archive.open((String) completed.get("batch_id"))) {
            assertThat(plain.transferTo(java.io.OutputStream.nullOutputStream())).isEqualTo(bytes);
        }
        try (Stream<Path> left = Files.list(inbox)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsOnly(".done");
        }

        System.out.printf(Locale.ROOT, "crash-restart: %,d rows (%.1f MB); first start %.1f s; killed %.1f s after the"
                        + " drop with %.1f MB of uncommitted rows; second start %.1f s, file completed %.1f s after it"
                        + " was launched%n", ROWS, bytes / 1e6, firstStart, killedAfter, uncommitted / 1048576.0,
                secondStart, recoveredAfter);
    }

    /**
     * Bytes of caravan.sale's heap written by uncommitted rows: its size while no row is committed
     * and the file's batch is running; fails at once if the batch finished before the kill.
     */
    private static long inFlight(JdbcTemplate warehouse) {
        List<String> status = warehouse.queryForList("SELECT status FROM caravan.batch WHERE route_id = ?",
                String.class, ROUTE);
        assertThat(status).as("the batch finished before it could be killed").doesNotContain(
                BatchSummary.COMPLETED, BatchSummary.FAILED);
        if (!status.contains(BatchSummary.RUNNING)) {
            return 0;
        }
        Map<String, Object> sale = warehouse.queryForMap(
                "SELECT pg_relation_size('caravan.sale') AS bytes, (SELECT count(*) FROM caravan.sale) AS committed");
        assertThat(sale.get("committed")).as("rows committed before the kill").isEqualTo(0L);
        return (Long) sale.get("bytes");
    }

    private CaravanProcess start(Path data, int postgresPort, String log) throws IOException {
        CaravanProcess caravan = CaravanProcess.start(data, postgresPort, work.resolve(log));
        started.add(caravan);
        return caravan;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
