package io.caravan.stream;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The processors a route reading partner events from Kafka names: {@code kafkaRecords} before
 * {@code harmonise:}, {@code kafkaCommit} after {@code warehouse:}. They exist in every profile and
 * do nothing until such a route runs; the repository's Kafka routes start only when
 * {@code caravan.kafka.sources.enabled} is true.
 */
@Configuration(proxyBeanMethods = false)
class StreamConfiguration {

    @Bean
    KafkaRecords kafkaRecords() {
        return new KafkaRecords();
    }

    @Bean
    KafkaCommit kafkaCommit() {
        return new KafkaCommit();
    }
}
