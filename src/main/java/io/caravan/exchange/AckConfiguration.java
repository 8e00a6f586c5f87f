package io.caravan.exchange;

import io.caravan.ledger.Ledger;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.file.FileEndpoint;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Registers the {@link AckWriter} with the ledger ({@code caravan.sftp.acks.enabled}, default
 * true). A route's inbox is the folder of its {@code file:} consumer, looked up in the running
 * Camel context when a batch finishes.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "caravan.sftp.acks.enabled", havingValue = "true", matchIfMissing = true)
class AckConfiguration {

    @Bean
    AckWriter ackWriter(Ledger ledger, ObjectProvider<CamelContext> camel,
            @Value("${caravan.sftp.root:${caravan.data-dir:data}/sftp}") Path root) {
        AckWriter writer = new AckWriter(ledger, root, routeId -> inboxOf(camel.getIfAvailable(), routeId));
        ledger.addListener(writer);
        return writer;
    }

    private static Optional<Path> inboxOf(CamelContext camel, String routeId) {
        if (camel == null) {
            return Optional.empty();
        }
        Route route = camel.getRoute(routeId);
        if (route != null && route.getEndpoint() instanceof FileEndpoint file) {
            return Optional.of(file.getFile().toPath());
        }
        return Optional.empty();
    }
}
