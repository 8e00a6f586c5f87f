package io.caravan.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * What a crashed Caravan leaves in the embedded warehouse's data directory, and how the next
 * {@link EmbeddedWarehouse#start} copes: a stale {@code postmaster.pid}, one whose process id was
 * reused, a PostgreSQL still serving the directory, and a directory a live Caravan holds. One
 * data directory is initialised once and shared; every test leaves it with no server running.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class OrphanPostgresIT {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path work;
    private static Path pg;
    private static SecretFiles secrets;

    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void initialisedDataDirectory() {
        pg = work.resolve("pg");
        secrets = new SecretFiles(work.resolve("secrets"));
        EmbeddedWarehouse.start(pg, 0, secrets).close();
    }

    @AfterEach
    void stopEverythingStarted() throws InterruptedException {
        for (Process process : started) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        CaravanProcess.stopServerLeftIn(pg);
    }

    @Test
    void aLockFileWhoseProcessIsGoneIsLeftToPostgresAndDoesNotBlockTheStart() throws Exception {
        String lockFile;
        ProcessHandle postmaster;
        try (EmbeddedWarehouse running = EmbeddedWarehouse.start(pg, 0, secrets)) {
            lockFile = Files.readString(pidFile(), StandardCharsets.ISO_8859_1);
            postmaster = ProcessHandle.of(postmasterPid()).orElseThrow();
        }
        postmaster.onExit().get(30, TimeUnit.SECONDS);
        Files.writeString(pidFile(), lockFile, StandardCharsets.ISO_8859_1); // as a power cut leaves it

        assertThat(OrphanPostgres.clear(pg, STOP_TIMEOUT)).isEqualTo(OrphanPostgres.Found.STALE_LOCK_FILE);
        assertThat(pidFile()).exists();
        try (EmbeddedWarehouse restarted = EmbeddedWarehouse.start(pg, 0, secrets)) {
            assertThat(selectOne(restarted)).isEqualTo(1);
        }
    }

    @Test
    void aLockFileNamingAnotherLiveProgramIsRemovedAndTheProgramLeftAlone() throws Exception {
        Process other = start(new ProcessBuilder("sleep", "120"));
        Files.writeString(pidFile(), other.pid() + "\n" + pg + "\n1796527637\n5432\n", StandardCharsets.ISO_8859_1);

        try (EmbeddedWarehouse started = EmbeddedWarehouse.start(pg, 0, secrets)) {
            assertThat(selectOne(started)).isEqualTo(1);
        }
        assertThat(other.isAlive()).as("the program whose process id was in the lock file").isTrue();
    }

    @Test
    void aLockFileNamingNoProcessIsRemoved() throws Exception {
        Files.writeString(pidFile(), "", StandardCharsets.ISO_8859_1); // PostgreSQL refuses an empty one

        assertThat(OrphanPostgres.clear(pg, STOP_TIMEOUT)).isEqualTo(OrphanPostgres.Found.UNREADABLE_LOCK_FILE);
        assertThat(pidFile()).doesNotExist();
    }

    @Test
    void aServerLeftRunningIsStoppedCleanlyKeepingWhatWasCommittedAndThePort() throws Exception {
        Path bin;
        try (EmbeddedWarehouse first = EmbeddedWarehouse.start(pg, 0, secrets)) {
            bin = Path.of(ProcessHandle.of(postmasterPid()).orElseThrow().info().command().orElseThrow()).getParent();
            jdbc(first).execute("CREATE TABLE public.crash_marker (note text)");
            jdbc(first).update("INSERT INTO public.crash_marker VALUES ('committed')");
        }
        int port = freePort();
        // a server no live process owns, as a killed Caravan leaves it
        Process pgCtl = start(new ProcessBuilder(zonkyCommand(bin.resolve("pg_ctl").toString(), "-D", pg.toString(),
                "-l", work.resolve("orphan.log").toString(), "-o", "-p " + port + " -c listen_addresses=localhost",
                "-w", "start")).redirectErrorStream(true).redirectOutput(work.resolve("pg_ctl.log").toFile()));
        assertThat(pgCtl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long orphan = postmasterPid();
        assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).isPresent();
        Connection open = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/caravan",
                EmbeddedWarehouse.USER, secrets.getOrCreate(EmbeddedWarehouse.PASSWORD_SECRET));
        open.setAutoCommit(false);
        try (Statement s = open.createStatement()) {
            s.executeUpdate("INSERT INTO public.crash_marker VALUES ('in flight')");
        }

        try (EmbeddedWarehouse restarted = EmbeddedWarehouse.start(pg, port, secrets)) {
            assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).as("the left-over server").isEmpty();
            assertThat(restarted.port()).as("the port the left-over server held").isEqualTo(port);
            assertThat(jdbc(restarted).queryForList("SELECT note FROM public.crash_marker", String.class))
                    .containsExactly("committed");
        } finally {
            closeQuietly(open);
        }
    }

    @Test
    void aDirectoryHeldByALiveCaravanIsRefusedAndLeftAlone() throws Exception {
        Path ownerLock = pg.resolve(OrphanPostgres.OWNER_LOCK);
        Process owner = start(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldsOwnerLock.class.getName(), ownerLock.toString()));
        try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("locked");
        }
        String lockFile = owner.pid() + "\n" + pg + "\n1796527637\n5432\n";
        Files.writeString(pidFile(), lockFile, StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> OrphanPostgres.clear(pg, STOP_TIMEOUT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(pg.toString()).hasMessageContaining("in use by another running process");
        assertThat(pidFile()).hasContent(lockFile);
        assertThat(owner.isAlive()).isTrue();

        owner.destroyForcibly();
        owner.waitFor(30, TimeUnit.SECONDS);
        Files.delete(pidFile());
    }

    /** Holds the owner lock of the file given, as a running Caravan does, until it is killed. */
    static final class HoldsOwnerLock {
        public static void main(String[] args) throws Exception {
            try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 var lock = channel.lock()) {
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(120_000);
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        started.add(process);
        return process;
    }

    /** Runs a PostgreSQL binary as zonky does (in a user namespace when running as root). */
    private static List<String> zonkyCommand(String... command) {
        List<String> full = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            full.addAll(List.of("unshare", "-U"));
        }
        full.addAll(List.of(command));
        return full;
    }

    private static Path pidFile() {
        return pg.resolve(PostmasterPid.FILE_NAME);
    }

    private static long postmasterPid() {
        return CaravanProcess.readPid(pg).orElseThrow().pid();
    }

    private static JdbcTemplate jdbc(EmbeddedWarehouse warehouse) {
        return new JdbcTemplate(new DriverManagerDataSource(warehouse.jdbcUrl(), EmbeddedWarehouse.USER,
                warehouse.password()));
    }

    private static int selectOne(EmbeddedWarehouse warehouse) {
        return jdbc(warehouse).queryForObject("SELECT 1", Integer.class);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the server it talked to was stopped
        }
    }
}
