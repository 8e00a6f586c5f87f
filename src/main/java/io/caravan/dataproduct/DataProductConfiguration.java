package io.caravan.dataproduct;

import io.caravan.pseudonymise.KeyRing;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the data products when {@code caravan.data-products.enabled} is true; otherwise nothing of
 * Kafka is created (the embedded default). Start-up fails if they are enabled without
 * {@code caravan.kafka.bootstrap-servers}, or (outside the embedded default) without a configured
 * {@value DataProductProperties#KEY_DOMAIN} key.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({KafkaSettings.class, DataProductProperties.class})
class DataProductConfiguration {

    @Bean
    @ConditionalOnProperty(name = "caravan.data-products.enabled", havingValue = "true")
    OutboxPublisher outboxPublisher(DataSource dataSource, KeyRing keys, KafkaSettings kafka,
                                    DataProductProperties settings) {
        keys.tokeniser(DataProductProperties.KEY_DOMAIN); // a missing key fails start-up, naming the domain
        return new OutboxPublisher(dataSource, keys, kafka, settings);
    }

    @Bean
    @ConditionalOnProperty(name = "caravan.data-products.enabled", havingValue = "true")
    OutboxPublisherLoop outboxPublisherLoop(OutboxPublisher publisher, DataProductProperties settings) {
        return new OutboxPublisherLoop(publisher, settings);
    }
}
