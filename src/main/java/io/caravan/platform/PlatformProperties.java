package io.caravan.platform;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where Caravan keeps its state and reads its deployment configuration.
 *
 * @param dataDir   {@code caravan.data-dir}: runtime state (embedded database, generated secrets,
 *                  {@code local.env}); default {@code data}, relative to the working directory
 * @param configDir {@code caravan.config-dir}: deployment configuration; default {@code config}
 */
@ConfigurationProperties("caravan")
record PlatformProperties(Path dataDir, Path configDir) {
    public PlatformProperties {
        dataDir = dataDir == null ? Path.of("data") : dataDir;
        configDir = configDir == null ? Path.of("config") : configDir;
    }

    /** The directory of generated secrets, {@code ${caravan.data-dir}/secrets}. */
    public Path secretsDir() {
        return dataDir.resolve("secrets");
    }

    /** {@code ${caravan.data-dir}/local.env}. */
    public Path localEnvFile() {
        return dataDir.resolve("local.env");
    }
}
