package io.caravan.dataproduct;

import java.util.Map;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How Caravan reaches Kafka ({@code caravan.kafka.*}); shared by everything Kafka (the data products
 * today, cluster mode's file events next). Empty {@code bootstrap-servers} means no Kafka: the
 * embedded default runs as one process without it.
 *
 * @param bootstrapServers {@code host:port[,host:port…]}; blank = Kafka off
 * @param nodeId           this node's name, unique in a cluster; makes the producer's
 *                         {@code transactional.id} (default {@code single})
 * @param client           extra Kafka client properties (security.protocol, sasl.*, ssl.*); never logged
 */
@ConfigurationProperties("caravan.kafka")
public record KafkaSettings(@DefaultValue("") String bootstrapServers, @DefaultValue("single") String nodeId,
                            Map<String, String> client) {
    public KafkaSettings {
        bootstrapServers = bootstrapServers == null ? "" : bootstrapServers.trim();
        Objects.requireNonNull(nodeId, "caravan.kafka.node-id");
        if (!nodeId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("caravan.kafka.node-id must be 1..64 of A-Z a-z 0-9 . _ -");
        }
        client = client == null ? Map.of() : Map.copyOf(client);
    }

    /** Whether Kafka is configured at all. */
    public boolean configured() {
        return !bootstrapServers.isEmpty();
    }

    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", nodeId=" + nodeId + ", client="
                + client.keySet() + "]";
    }
}
