package io.caravan.platform;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The embedded default ({@code caravan.embedded.*}): when enabled, Caravan starts its own
 * PostgreSQL in {@code ${caravan.data-dir}/pg}, generates its secrets and users, and writes
 * {@code local.env}. Enabled by the built-in {@code application.yaml}; the {@code prod} profile
 * disables it and uses {@code spring.datasource.*}.
 *
 * @param enabled      {@code caravan.embedded.enabled}; default false when nothing sets it
 * @param postgresPort {@code caravan.embedded.postgres-port}: preferred port on localhost
 *                     (default 15432; a free port is used when it is taken; 0 always picks a free one)
 */
@ConfigurationProperties("caravan.embedded")
record EmbeddedProperties(Boolean enabled, Integer postgresPort) {
    public EmbeddedProperties {
        enabled = enabled != null && enabled;
        postgresPort = postgresPort == null ? 15432 : postgresPort;
        if (postgresPort < 0 || postgresPort > 65535) {
            throw new IllegalArgumentException("caravan.embedded.postgres-port must be between 0 and 65535");
        }
    }
}
