package io.caravan.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL for tests: one embedded server per test JVM (started on first use, stopped
 * at JVM exit), with the Flyway migrations applied. Each call to {@link #fresh(String)} gives a
 * new, empty, migrated database so tests do not see each other's rows.
 */
public final class TestDatabase {
    private static EmbeddedPostgres server;

    private TestDatabase() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().setPort(0).start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL for tests", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return server;
    }

    /** A new database named {@code name} (dropped first if it exists), migrated. */
    public static synchronized DataSource fresh(String name) {
        if (!name.matches("[a-z][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("database names in tests are lower-case identifiers");
        }
        try (var c = server().getPostgresDatabase().getConnection(); var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not create test database " + name, e);
        }
        DataSource ds = dataSource(name);
        Flyway.configure().dataSource(ds).schemas("caravan").locations("classpath:db/migration").load().migrate();
        return ds;
    }

    public static DataSource dataSource(String name) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"localhost"});
        ds.setPortNumbers(new int[] {server().getPort()});
        ds.setDatabaseName(name);
        ds.setUser("postgres");
        ds.setLogServerErrorDetail(false);
        return ds;
    }

    /** A JDBC URL for a database of the test server, e.g. for {@code spring.datasource.url}. */
    public static String jdbcUrl(String name) {
        return "jdbc:postgresql://localhost:" + server().getPort() + "/" + name + "?logServerErrorDetail=false";
    }
}
