package io.caravan.ops;

import io.caravan.exchange.SftpGateway;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health component {@code sftpGateway}: {@code UP} with the port while the gateway listens,
 * {@code DOWN} otherwise, {@code UNKNOWN} when it is disabled ({@code caravan.sftp.gateway.enabled=false}). Shows no host key, partner or address.
 */
final class SftpGatewayHealth implements HealthIndicator {
    private final ObjectProvider<SftpGateway> gateways;

    SftpGatewayHealth(ObjectProvider<SftpGateway> gateways) {
        this.gateways = gateways;
    }

    @Override
    public Health health() {
        SftpGateway gateway = gateways.getIfAvailable();
        if (gateway == null) {
            return Health.unknown().withDetail("reason", "gateway disabled").build();
        }
        int port = gateway.port();
        return gateway.isRunning() && port > 0
                ? Health.up().withDetail("port", port).build()
                : Health.down().withDetail("reason", "not listening").build();
    }
}
