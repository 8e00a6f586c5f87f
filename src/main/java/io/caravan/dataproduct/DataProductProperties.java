package io.caravan.dataproduct;

import io.caravan.connector.WarehouseTable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Data products on Kafka ({@code caravan.data-products.*}).
 *
 * @param enabled      off by default; when on, the warehouse writer and erasure fill the outbox and
 *                     the publisher needs {@code caravan.kafka.bootstrap-servers}
 * @param topics       per record table ({@code sale}, {@code lead}, …) its topic and purpose; a
 *                     table without an entry is not published
 * @param pollInterval how long the publisher waits when the outbox is empty (default 1s)
 * @param chunk        outbox rows per Kafka transaction (default 1000, 1..100000)
 * @param keepSent     how long sent outbox rows are kept (for inspection) before they are deleted
 *                     (default 7d)
 */
@ConfigurationProperties("caravan.data-products")
public record DataProductProperties(@DefaultValue("false") boolean enabled, Map<String, Topic> topics,
                                    @DefaultValue("1s") Duration pollInterval, @DefaultValue("1000") int chunk,
                                    @DefaultValue("7d") Duration keepSent) {

    /** The key domain data-product tokens are made in: never the warehouse's. */
    public static final String KEY_DOMAIN = io.caravan.pseudonymise.KeyRing.DATA_PRODUCTS;

    public DataProductProperties {
        topics = topics == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(topics));
        for (String table : topics.keySet()) {
            if (WarehouseTable.byName(table).isEmpty()) {
                throw new IllegalArgumentException("caravan.data-products.topics." + table
                        + ": not a record table (lead, sale, contract, insurance, campaign_performance)");
            }
        }
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("caravan.data-products.poll-interval must be positive");
        }
        if (keepSent == null || keepSent.isNegative()) {
            throw new IllegalArgumentException("caravan.data-products.keep-sent must not be negative");
        }
        if (chunk < 1 || chunk > 100_000) {
            throw new IllegalArgumentException("caravan.data-products.chunk must be between 1 and 100000");
        }
        if (enabled && topics.isEmpty()) {
            throw new IllegalArgumentException("caravan.data-products.topics: name at least one table when enabled");
        }
    }

    /**
     * One table's data product.
     *
     * @param name    topic name, default {@code caravan.<table>.v1}; its JSON Schema is
     *                {@code dataproducts/<name>.schema.json}
     * @param purpose consent purpose a subject must have granted (latest event) for its records to be
     *                published; records without a subject carry no personal data and are published
     */
    public record Topic(String name, String purpose) {
        public Topic {
            if (purpose == null || !purpose.matches("[a-z][a-z0-9_-]{0,63}")) {
                throw new IllegalArgumentException("caravan.data-products.topics.*.purpose is required (a-z, 0-9, _ -)");
            }
            if (name != null && !name.matches("[A-Za-z0-9._-]{1,249}")) {
                throw new IllegalArgumentException("caravan.data-products.topics.*.name is not a valid topic name");
            }
        }
    }

    /** The topic name for {@code table}, its configured name or {@code caravan.<table>.v1}. */
    public String topicName(String table) {
        Topic topic = topics.get(table);
        return topic == null || topic.name() == null ? "caravan." + table + ".v1" : topic.name();
    }
}
