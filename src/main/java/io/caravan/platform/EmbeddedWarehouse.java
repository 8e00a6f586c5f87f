package io.caravan.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default's PostgreSQL: a real server (zonky embedded binaries) whose data directory
 * survives restarts. On every start it makes sure that
 * <ul>
 *   <li>the login role {@value #USER} exists with the password kept in {@link SecretFiles}
 *       ({@code pg-password}) and a search path starting with schema {@code caravan};</li>
 *   <li>the database {@value #DATABASE} exists and is owned by that role;</li>
 *   <li>the superuser {@code postgres} has the password kept as {@code pg-superuser-password};</li>
 *   <li>{@code pg_hba.conf} asks every connection, TCP or Unix socket, for a SCRAM-SHA-256 password.</li>
 * </ul>
 * The first start runs {@code initdb} with trust authentication (zonky's default), applies the
 * steps above and reloads the configuration, so from then on passwords are enforced; a start that
 * was interrupted half-way finishes the steps next time. The server listens on {@code localhost}
 * only. Passwords are set with {@link PGConnection#alterUserPassword}, which sends a SCRAM verifier,
 * never the clear password, and the server is configured to log neither statements nor error
 * details, so no value reaches its log.
 *
 * <p>After a crash: the server outlives a process that is killed (SIGKILL, an OOM kill), and a
 * power cut leaves its lock file behind. Before starting, {@link OrphanPostgres} stops a server
 * still serving the data directory (cleanly: its open transactions roll back) and clears a stale
 * lock file, so the next start needs no manual step; it refuses a directory that another live
 * Caravan uses. PostgreSQL then recovers from its write-ahead log where needed (waited for up to
 * {@link #STARTUP_WAIT}).
 *
 * <p>Instances are thread-safe; {@link #close()} stops the server (idempotent).
 */
final class EmbeddedWarehouse implements AutoCloseable {
    /** The application database. */
    public static final String DATABASE = "caravan";
    /** The application's login role (owner of {@link #DATABASE}). */
    public static final String USER = "caravan";

    static final String PASSWORD_SECRET = "pg-password";
    static final String SUPERUSER_PASSWORD_SECRET = "pg-superuser-password";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedWarehouse.class);
    /** How long a server left running by a crashed predecessor may take to stop. */
    static final Duration ORPHAN_STOP_TIMEOUT = Duration.ofSeconds(60);
    /** How long the server may take to accept connections (crash recovery replays the WAL first). */
    static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final String PG_HBA = """
            # Written by Caravan's embedded warehouse on every start: password (SCRAM) authentication only.
            # TYPE  DATABASE  USER  ADDRESS        METHOD
            local   all       all                  scram-sha-256
            host    all       all   127.0.0.1/32   scram-sha-256
            host    all       all   ::1/128        scram-sha-256
            """;

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final String password;

    private EmbeddedWarehouse(EmbeddedPostgres postgres, Path dataDirectory, String password) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.password = password;
    }

    /**
     * Starts the server on {@code dataDirectory} (initialised when it holds no cluster yet), on
     * {@code preferredPort} when that port is free on the loopback interface, otherwise on a free
     * port ({@code 0} always picks a free one).
     *
     * @throws UncheckedIOException  when the server cannot start
     * @throws IllegalStateException when the server does not accept the stored superuser password
     *                               (the secrets do not belong to this data directory), when another
     *                               live process uses the data directory, or when a server left
     *                               running by a crashed predecessor does not stop
     */
    public static EmbeddedWarehouse start(Path dataDirectory, int preferredPort, SecretFiles secrets) {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        String password = secrets.getOrCreate(PASSWORD_SECRET);
        String superuserPassword = secrets.getOrCreate(SUPERUSER_PASSWORD_SECRET);
        EmbeddedPostgres postgres;
        int port;
        try {
            OwnerOnlyFiles.createDirectories(dir);
            // before the port is chosen: a left-over server may hold the preferred one
            OrphanPostgres.clear(dir, ORPHAN_STOP_TIMEOUT);
            port = choosePort(preferredPort);
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(STARTUP_WAIT)
                    .setServerConfig("listen_addresses", "localhost")
                    // zonky turns fsync and synchronous_commit off for test speed; Caravan's durability point
                    // is the commit (a source file is moved away right after it), so it must survive a crash
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("log_error_verbosity", "terse")
                    .setServerConfig("log_min_error_statement", "panic")
                    .setConnectConfig("password", superuserPassword)
                    .setConnectConfig("logServerErrorDetail", "false")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded warehouse could not start on " + dir
                    + " (if it ran before, check that " + secrets.dir() + " belongs to it)", e);
        }
        EmbeddedWarehouse warehouse = new EmbeddedWarehouse(postgres, dir, password);
        try {
            warehouse.prepare(superuserPassword);
        } catch (SQLException | IOException | RuntimeException e) {
            warehouse.close();
            throw new IllegalStateException("could not prepare the embedded warehouse on " + dir, e);
        }
        if (port != preferredPort && preferredPort != 0) {
            LOG.info("Port {} was taken; the embedded warehouse listens on port {} instead", preferredPort, port);
        }
        LOG.info("Embedded warehouse (PostgreSQL) ready on localhost:{}, data in {}", port, dir);
        return warehouse;
    }

    private void prepare(String superuserPassword) throws SQLException, IOException {
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            PGConnection pg = c.unwrap(PGConnection.class);
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", USER)) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE ROLE " + USER + " LOGIN");
                }
            }
            pg.alterUserPassword(USER, password.toCharArray(), "scram-sha-256");
            try (Statement s = c.createStatement()) {
                s.execute("ALTER ROLE " + USER + " SET search_path = caravan, public");
            }
            if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", DATABASE)) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER + " ENCODING 'UTF8'");
                }
            }
            pg.alterUserPassword("postgres", superuserPassword.toCharArray(), "scram-sha-256");
            Path hba = dataDirectory.resolve("pg_hba.conf");
            if (!Files.exists(hba) || !Files.readString(hba, StandardCharsets.UTF_8).equals(PG_HBA)) {
                OwnerOnlyFiles.writeAtomically(hba, PG_HBA);
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_reload_conf()");
                }
            }
        }
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static int choosePort(int preferred) {
        if (preferred > 0) {
            try (ServerSocket probe = new ServerSocket()) {
                // as PostgreSQL binds: connections closed moments ago (TIME_WAIT, such as those of a left-over
                // server just stopped) leave the port free, a listener does not; on Windows the option would let
                // the probe share a listener's port, so it stays off there
                probe.setReuseAddress(!System.getProperty("os.name", "").startsWith("Windows"));
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), preferred));
                return preferred;
            } catch (IOException taken) {
                // fall through to a free port
            }
        }
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on the loopback interface", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** Always {@code localhost}: the server listens on the loopback interface only. */
    public String host() {
        return "localhost";
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** JDBC URL of {@link #DATABASE}; carries no credentials. */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE
                + "?logServerErrorDetail=false&reWriteBatchedInserts=true";
    }

    /** The password of {@link #USER}. Never log it. */
    public String password() {
        return password;
    }

    /** Stops the server; the data directory stays. */
    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("The embedded warehouse did not stop cleanly ({})", e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "EmbeddedWarehouse[localhost:" + port() + ", " + dataDirectory + "]";
    }
}
