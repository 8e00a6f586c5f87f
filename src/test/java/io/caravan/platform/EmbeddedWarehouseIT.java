package io.caravan.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The embedded default for real: a PostgreSQL started on a temporary data directory by the
 * platform configuration, Flyway migrating it, a web server on a random port, {@code local.env}
 * sourced by bash and used by the real {@code psql}.
 */
class EmbeddedWarehouseIT {

    @TempDir
    Path dataDir;

    @Test
    void firstStartMigratesTheWarehouseAndWritesAnOwnerOnlySourceableLocalEnv() throws Exception {
        try (ConfigurableApplicationContext app = start(dataDir)) {
            assertThat(app.getBean(DataSource.class)).isInstanceOf(com.zaxxer.hikari.HikariDataSource.class);
            JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.batch", Long.class)).isZero();
            assertThat(jdbc.queryForObject("SELECT current_user", String.class)).isEqualTo("caravan");
            // the commit is the durability point: a source file is moved away right after it
            assertThat(jdbc.queryForObject("SHOW synchronous_commit", String.class)).isEqualTo("on");
            assertThat(jdbc.queryForObject("SHOW fsync", String.class)).isEqualTo("on");
            assertThat(jdbc.queryForObject("SHOW full_page_writes", String.class)).isEqualTo("on");

            Path env = dataDir.resolve("local.env");
            assertThat(permissions(env)).isEqualTo("rw-------");
            assertThat(permissions(dataDir.resolve("secrets"))).isEqualTo("rwx------");
            try (var secrets = Files.list(dataDir.resolve("secrets"))) {
                assertThat(secrets.toList()).isNotEmpty().allSatisfy(f -> assertThat(permissions(f)).isEqualTo("rw-------"));
            }
            Map<String, String> vars = sourced(env);
            assertThat(vars).containsKeys("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "CARAVAN_API_URL",
                    "CARAVAN_OPERATOR_USER", "CARAVAN_OPERATOR_PASSWORD", "CARAVAN_VIEWER_USER", "CARAVAN_VIEWER_PASSWORD");
            int webPort = ((WebServerApplicationContext) app).getWebServer().getPort();
            assertThat(vars.get("CARAVAN_API_URL")).isEqualTo("http://localhost:" + webPort);
            assertThat(vars.get("CARAVAN_OPERATOR_PASSWORD")).hasSize(32).isNotEqualTo(vars.get("CARAVAN_VIEWER_PASSWORD"));

            Shell psql = shell(env, "psql -tAc 'select count(*) from caravan.batch'");
            assertThat(psql.exit).as(psql.output).isZero();
            assertThat(psql.output.strip()).isEqualTo("0");
        }
    }

    @Test
    void restartReusesTheDataAndTheSecrets() throws Exception {
        Map<String, String> first;
        try (ConfigurableApplicationContext app = start(dataDir)) {
            app.getBean(JdbcTemplate.class).update(
                    "INSERT INTO caravan.audit_event (actor, action) VALUES ('it', 'restart-check')");
            first = sourced(dataDir.resolve("local.env"));
        }
        try (ConfigurableApplicationContext app = start(dataDir)) {
            assertThat(app.getBean(JdbcTemplate.class).queryForObject(
                    "SELECT count(*) FROM caravan.audit_event WHERE action = 'restart-check'", Long.class)).isEqualTo(1);
            Map<String, String> second = sourced(dataDir.resolve("local.env"));
            for (String name : List.of("PGPASSWORD", "CARAVAN_OPERATOR_PASSWORD", "CARAVAN_VIEWER_PASSWORD")) {
                assertThat(second.get(name)).as(name).isEqualTo(first.get(name));
            }
        }
    }

    @Test
    void passwordsAreEnforcedOverTcp() throws Exception {
        try (ConfigurableApplicationContext app = start(dataDir)) {
            EmbeddedWarehouse warehouse = app.getBean(EmbeddedWarehouse.class);
            String url = "jdbc:postgresql://localhost:" + warehouse.port() + "/caravan?logServerErrorDetail=false";

            assertThatThrownBy(() -> connect(url, "caravan", "not-the-password"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
            assertThatThrownBy(() -> connect(url, "postgres", "not-the-password"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
            try (Connection c = connect(url, "caravan", warehouse.password())) {
                assertThat(c.isValid(2)).isTrue();
            }

            Path noPassword = dataDir.resolve("no-password.env");
            Files.writeString(noPassword, "PGHOST=localhost\nPGPORT=" + warehouse.port()
                    + "\nPGUSER=caravan\nPGDATABASE=caravan\n", StandardCharsets.UTF_8);
            Shell psql = shell(noPassword, "psql -w -tAc 'select 1'");
            assertThat(psql.exit).isNotZero();
        }
    }

    @Test
    void serverStopsWhenTheApplicationStops() throws Exception {
        int port;
        String password;
        try (ConfigurableApplicationContext app = start(dataDir)) {
            EmbeddedWarehouse warehouse = app.getBean(EmbeddedWarehouse.class);
            port = warehouse.port();
            password = warehouse.password();
        }
        assertThatThrownBy(() -> connect("jdbc:postgresql://localhost:" + port + "/caravan", "caravan", password))
                .isInstanceOf(SQLException.class);
    }

    @Test
    void aTakenPreferredPortFallsBackToAFreeOne() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int chosen = EmbeddedWarehouse.choosePort(taken.getLocalPort());
            assertThat(chosen).isPositive().isNotEqualTo(taken.getLocalPort());
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
            DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class, JdbcTemplateAutoConfiguration.class})
    @Import(PlatformConfiguration.class)
    static class PlatformOnly {
    }

    private static ConfigurableApplicationContext start(Path dataDir) {
        return new SpringApplicationBuilder(PlatformOnly.class)
                .web(WebApplicationType.SERVLET)
                .properties(
                        "spring.config.location=optional:classpath:/nothing-else.yaml",
                        "caravan.data-dir=" + dataDir,
                        "caravan.embedded.enabled=true",
                        "caravan.embedded.postgres-port=0",
                        "server.port=0",
                        "spring.flyway.schemas=caravan",
                        "spring.flyway.locations=classpath:db/migration")
                .run();
    }

    private static Connection connect(String url, String user, String password) throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    private static String permissions(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (IOException e) {
            throw new AssertionError("cannot read permissions of " + path, e);
        }
    }

    private record Shell(int exit, String output) {
    }

    /** Runs {@code command} in bash after sourcing {@code env}, with no PG* variables inherited. */
    private static Shell shell(Path env, String command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "set -a; . \"$1\"; set +a; " + command, "sh", env.toString());
        builder.environment().keySet().removeIf(k -> k.startsWith("PG"));
        builder.environment().put("PGPASSFILE", "/dev/null");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Shell(process.exitValue(), output);
    }

    /** The variables as bash sees them after sourcing the file (so quoting is checked, too). */
    private static Map<String, String> sourced(Path env) throws IOException, InterruptedException {
        Shell shell = shell(env, "for v in $(sed -n 's/^\\([A-Z_][A-Z0-9_]*\\)=.*/\\1/p' \"$1\"); do printf '%s=%s\\n' \"$v\" \"${!v}\"; done");
        assertThat(shell.exit).isZero();
        Map<String, String> vars = new LinkedHashMap<>();
        for (String line : shell.output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                vars.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return vars;
    }
}
