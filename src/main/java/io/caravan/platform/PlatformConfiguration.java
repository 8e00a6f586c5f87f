package io.caravan.platform;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The platform bootstrap. With {@code caravan.embedded.enabled=true} (the built-in default) it
 * starts the {@link EmbeddedWarehouse} before the {@code DataSource} exists and defines that
 * DataSource itself (Hikari, so Spring Boot's own DataSource auto-configuration backs off while
 * Flyway's runs on it), generates secrets and users, and writes {@code local.env}. Otherwise the
 * DataSource comes from {@code spring.datasource.*} and {@link LocalEnv} is a no-op.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({PlatformProperties.class, EmbeddedProperties.class})
class PlatformConfiguration {

    @Bean
    ApiAddress apiAddress(PlatformProperties platform, EmbeddedProperties embedded, LocalEnv localEnv) {
        return new ApiAddress(localEnv, embedded.enabled() ? platform.localEnvFile().toAbsolutePath().normalize() : null);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "caravan.embedded", name = "enabled", havingValue = "true")
    static class Embedded {

        @Bean
        SecretFiles secretFiles(PlatformProperties platform) {
            try {
                OwnerOnlyFiles.createDirectories(platform.dataDir());
            } catch (IOException e) {
                throw new UncheckedIOException("could not create the data directory " + platform.dataDir(), e);
            }
            return new SecretFiles(platform.secretsDir());
        }

        /** Created early and cheaply: other components (the SFTP gateway) add entries while they start. */
        @Bean
        FileLocalEnv localEnv(PlatformProperties platform, SecretFiles secretFiles) {
            return new FileLocalEnv(platform.localEnvFile());
        }

        @Bean(destroyMethod = "close")
        EmbeddedWarehouse embeddedWarehouse(PlatformProperties platform, EmbeddedProperties embedded,
                                            SecretFiles secretFiles, FileLocalEnv localEnv) {
            EmbeddedWarehouse warehouse = EmbeddedWarehouse.start(
                    platform.dataDir().resolve("pg"), embedded.postgresPort(), secretFiles);
            localEnv.put("PGHOST", warehouse.host());
            localEnv.put("PGPORT", Integer.toString(warehouse.port()));
            localEnv.put("PGDATABASE", EmbeddedWarehouse.DATABASE);
            localEnv.put("PGUSER", EmbeddedWarehouse.USER);
            localEnv.put("PGPASSWORD", warehouse.password());
            return warehouse;
        }

        /** Pool settings still come from {@code spring.datasource.hikari.*}. */
        @Bean
        @ConfigurationProperties("spring.datasource.hikari")
        HikariDataSource dataSource(EmbeddedWarehouse warehouse) {
            HikariDataSource dataSource = new HikariDataSource();
            dataSource.setPoolName("caravan");
            dataSource.setJdbcUrl(warehouse.jdbcUrl());
            dataSource.setUsername(EmbeddedWarehouse.USER);
            dataSource.setPassword(warehouse.password());
            return dataSource;
        }

        @Bean
        GeneratedUsers generatedUsers(SecretFiles secretFiles, FileLocalEnv localEnv) {
            GeneratedUsers.User operator = new GeneratedUsers.User(
                    "operator", secretFiles.getOrCreate("api-operator-password"), List.of("operator", "viewer"));
            GeneratedUsers.User viewer = new GeneratedUsers.User(
                    "viewer", secretFiles.getOrCreate("api-viewer-password"), List.of("viewer"));
            localEnv.put("CARAVAN_OPERATOR_USER", operator.name());
            localEnv.put("CARAVAN_OPERATOR_PASSWORD", operator.password());
            localEnv.put("CARAVAN_VIEWER_USER", viewer.name());
            localEnv.put("CARAVAN_VIEWER_PASSWORD", viewer.password());
            return new GeneratedUsers(List.of(operator, viewer));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "caravan.embedded", name = "enabled", havingValue = "false", matchIfMissing = true)
    static class External {

        /** Outside the embedded default there is no {@code local.env}: entries are dropped. */
        @Bean
        LocalEnv localEnv() {
            return (name, value) -> {
            };
        }
    }
}
