package io.caravan.stream;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * Commits the consumer offsets of the batch that {@link KafkaRecords} prepared, per partition the
 * offset after its last record. Put it after {@code warehouse:}: it runs only when the warehouse
 * commit succeeded, so a batch that fails anywhere before is not committed and its records are read
 * again (after the consumer seeks back, {@code breakOnFirstError=true}, or after a restart).
 * Needs {@code autoCommitEnable=false&allowManualCommit=true} on the {@code kafka:} endpoint; fails
 * the exchange if the records carry no manual-commit handle. Stateless and thread-safe.
 */
final class KafkaCommit implements Processor {

    @Override
    public void process(Exchange exchange) {
        List<?> records = exchange.getProperty(KafkaRecords.RECORDS, List.class);
        if (records == null) {
            throw new IllegalStateException("kafkaCommit runs after kafkaRecords, in a route from kafka: with batching=true");
        }
        Map<String, KafkaManualCommit> lastPerPartition = new LinkedHashMap<>();
        for (Object item : records) {
            Exchange record = (Exchange) item;
            KafkaManualCommit commit = record.getIn().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            if (commit == null) {
                throw new IllegalStateException("the kafka: endpoint needs autoCommitEnable=false and allowManualCommit=true");
            }
            lastPerPartition.put(record.getIn().getHeader(KafkaConstants.TOPIC, String.class) + "/"
                    + record.getIn().getHeader(KafkaConstants.PARTITION, Integer.class), commit);
        }
        lastPerPartition.values().forEach(KafkaManualCommit::commit);
    }
}
