package io.caravan.dataproduct;

import io.caravan.connector.WarehouseTable;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Publishes {@code caravan.data_product_outbox} to Kafka: each delivered record once, after the
 * warehouse commit that queued it, as a data product of its own.
 *
 * <p><b>Contract.</b> {@link #publishPending()} takes pending outbox rows in id order, in chunks of
 * {@link DataProductProperties#chunk()}: it stamps them {@code attempted_at} (committed), reads each
 * record as it is now in the warehouse, and in one Kafka transaction sends to the table's topic one
 * JSON value per record whose subject has granted the topic's purpose (latest consent event) or that
 * has no subject, keyed by the record's data-product token; an erased record is sent as a tombstone
 * (null value, header {@code caravan-event: erasure}) under every readable data-product key. Every
 * record carries header {@code caravan-outbox-id}. After the Kafka commit the rows are marked
 * {@code sent_at} with their outcome ({@code published}, {@code consent_filtered}, {@code gone}:
 * the record was erased meanwhile, {@code no_topic}: the table is not configured).
 *
 * <p><b>Exactly once.</b> The producer is transactional (so idempotent) with {@code transactional.id}
 * {@code caravan-data-products-<node id>}: starting it fences a dead predecessor and aborts its open
 * transaction. A crash between the Kafka commit and the marking leaves rows attempted but not sent;
 * before anything else the publisher reads its topics ({@code read_committed}) from the earliest
 * such attempt and marks the rows whose outbox ids it finds there as sent, so nothing is sent twice.
 *
 * <p><b>One publisher per database.</b> Each call holds a PostgreSQL advisory lock
 * ({@link #PUBLISHER_LOCK}) while it publishes; a call that cannot take it (another node's publisher
 * is at work) returns 0 at once, so several nodes sharing one database never publish a row twice.
 *
 * <p><b>Tokens.</b> The warehouse's tokens never leave: the record key and every {@code *_token}
 * column are re-tokenised with the active key of key domain {@value DataProductProperties#KEY_DOMAIN}
 * ({@code token = HMAC(data-products key, warehouse token)}), {@code sealed_identifiers},
 * {@code policy_id}, {@code connector_id} and the warehouse key id are left out. Not thread-safe:
 * one caller at a time ({@link OutboxPublisherLoop}). Logs counts, topics and outbox ids, never a value.
 */
public final class OutboxPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);
    static final String OUTBOX_ID = "caravan-outbox-id";
    static final String EVENT = "caravan-event";
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** Read the topic this long before the earliest unfinished attempt (clock skew between hosts). */
    private static final Duration RECOVERY_MARGIN = Duration.ofMinutes(5);
    /** PostgreSQL advisory lock key: one publisher at a time across all nodes sharing the database. */
    static final long PUBLISHER_LOCK = 0x63617261_16_0001L;

    private final DataSource dataSource;
    private final KeyRing keys;
    private final KafkaSettings kafka;
    private final DataProductProperties settings;
    private KafkaProducer<String, byte[]> producer;
    private long lastPurge;

    public OutboxPublisher(DataSource dataSource, KeyRing keys, KafkaSettings kafka, DataProductProperties settings) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.settings = Objects.requireNonNull(settings, "settings");
        if (!kafka.configured()) {
            throw new IllegalArgumentException("caravan.data-products.enabled needs caravan.kafka.bootstrap-servers");
        }
    }

    /** One outbox row. */
    private record Entry(long id, String kind, String table, String recordKey, boolean attempted) { }

    /**
     * Publishes pending outbox rows until none is left (see the class contract).
     *
     * @return the number of outbox rows finished (any outcome)
     */
    public long publishPending() throws SQLException {
        try (Connection lock = dataSource.getConnection()) {
            if (!advisoryLock(lock, "pg_try_advisory_lock")) {
                return 0; // another node's publisher is at work; it publishes these rows
            }
            try {
                return publishWhileLocked();
            } finally {
                advisoryLock(lock, "pg_advisory_unlock");
            }
        }
    }

    private static boolean advisoryLock(Connection connection, String function) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + function + "(?)")) {
            statement.setLong(1, PUBLISHER_LOCK);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private long publishWhileLocked() throws SQLException {
        ensureProducer();
        long finished = 0;
        while (true) {
            List<Entry> chunk = pending();
            if (chunk.isEmpty()) {
                purgeSent();
                return finished;
            }
            List<Entry> unfinished = chunk.stream().filter(Entry::attempted).toList();
            if (!unfinished.isEmpty()) {
                Set<Long> alreadySent = recover(chunk);
                if (!alreadySent.isEmpty()) {
                    markSent(chunk.stream().filter(e -> alreadySent.contains(e.id())).toList(), Map.of());
                    LOG.info("data products: {} outbox rows of an interrupted attempt were already on Kafka",
                            alreadySent.size());
                    finished += alreadySent.size();
                    chunk = chunk.stream().filter(e -> !alreadySent.contains(e.id())).toList();
                    if (chunk.isEmpty()) {
                        continue;
                    }
                }
            }
            markAttempted(chunk);
            Map<Long, String> outcomes = send(chunk);
            markSent(chunk, outcomes);
            finished += chunk.size();
        }
    }

    /** At most once a minute: deletes sent rows older than {@link DataProductProperties#keepSent()}. */
    private void purgeSent() throws SQLException {
        if (System.nanoTime() - lastPurge < Duration.ofMinutes(1).toNanos() && lastPurge != 0) {
            return;
        }
        lastPurge = System.nanoTime();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("""
                     DELETE FROM caravan.data_product_outbox
                     WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => ?)""")) {
            delete.setLong(1, settings.keepSent().toSeconds());
            delete.executeUpdate();
        }
    }

    private void ensureProducer() {
        if (producer != null) {
            return;
        }
        Properties props = clientProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "caravan-data-products-" + kafka.nodeId());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        KafkaProducer<String, byte[]> created = new KafkaProducer<>(props);
        try {
            created.initTransactions();
        } catch (RuntimeException e) {
            created.close(Duration.ZERO);
            throw e;
        }
        producer = created;
    }

    private Properties clientProperties() {
        Properties props = new Properties();
        props.putAll(kafka.client());
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return props;
    }

    private List<Entry> pending() throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT outbox_id, kind, table_name, record_key, attempted_at IS NOT NULL
                     FROM caravan.data_product_outbox WHERE sent_at IS NULL ORDER BY outbox_id LIMIT ?""")) {
            select.setInt(1, settings.chunk());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5)));
                }
            }
        }
        return out;
    }

    private void markAttempted(List<Entry> chunk) throws SQLException {
        update("UPDATE caravan.data_product_outbox SET attempted_at = now() WHERE outbox_id = ANY(?)",
                chunk.stream().map(Entry::id).toList(), null);
    }

    private void markSent(List<Entry> chunk, Map<Long, String> outcomes) throws SQLException {
        Map<String, List<Long>> byOutcome = new LinkedHashMap<>();
        for (Entry entry : chunk) {
            byOutcome.computeIfAbsent(outcomes.getOrDefault(entry.id(), "published"), k -> new ArrayList<>()).add(entry.id());
        }
        for (Map.Entry<String, List<Long>> group : byOutcome.entrySet()) {
            update("UPDATE caravan.data_product_outbox SET sent_at = now(), outcome = ? WHERE outbox_id = ANY(?)",
                    group.getValue(), group.getKey());
        }
    }

    private void update(String sql, List<Long> ids, String outcome) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(sql)) {
            int i = 1;
            if (outcome != null) {
                update.setString(i++, outcome);
            }
            update.setArray(i, connection.createArrayOf("bigint", ids.toArray()));
            update.executeUpdate();
        }
    }

    /** Sends one chunk in one Kafka transaction; returns the outcome of the rows not published. */
    private Map<Long, String> send(List<Entry> chunk) throws SQLException {
        Map<Long, String> outcomes = new HashMap<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        Map<String, List<Entry>> byTable = new LinkedHashMap<>();
        for (Entry entry : chunk) {
            if (!settings.topics().containsKey(entry.table())) {
                outcomes.put(entry.id(), "no_topic");
            } else {
                byTable.computeIfAbsent(entry.table(), k -> new ArrayList<>()).add(entry);
            }
        }
        Tokeniser active = keys.tokeniser(DataProductProperties.KEY_DOMAIN);
        for (Map.Entry<String, List<Entry>> group : byTable.entrySet()) {
            String table = group.getKey();
            String topic = settings.topicName(table);
            List<Entry> records0 = group.getValue().stream().filter(e -> e.kind().equals("record")).toList();
            Map<String, ObjectNode> values = read(WarehouseTable.byName(table).orElseThrow(), records0,
                    settings.topics().get(table).purpose(), active, outcomes);
            for (Entry entry : group.getValue()) {
                if (entry.kind().equals("erasure")) {
                    for (Tokeniser key : keys.readable(DataProductProperties.KEY_DOMAIN)) {
                        records.add(record(topic, key.token(entry.recordKey()), null, entry.id(), "erasure"));
                    }
                } else if (!outcomes.containsKey(entry.id())) {
                    ObjectNode value = values.get(entry.recordKey());
                    if (value == null) {
                        outcomes.put(entry.id(), "gone");
                    } else {
                        records.add(record(topic, active.token(entry.recordKey()),
                                JSON.writeValueAsBytes(value), entry.id(), "record"));
                    }
                }
            }
        }
        if (records.isEmpty()) {
            return outcomes;
        }
        producer.beginTransaction();
        try {
            for (ProducerRecord<String, byte[]> record : records) {
                producer.send(record);
            }
            producer.commitTransaction();
        } catch (RuntimeException e) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException abort) {
                e.addSuppressed(abort);
            }
            producer.close(Duration.ZERO);
            producer = null;
            throw e;
        }
        LOG.debug("data products: {} Kafka records for {} outbox rows", records.size(), chunk.size());
        return outcomes;
    }

    private static ProducerRecord<String, byte[]> record(String topic, String key, byte[] value, long outboxId,
                                                         String event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        record.headers().add(OUTBOX_ID, Long.toString(outboxId).getBytes(StandardCharsets.UTF_8));
        record.headers().add(EVENT, event.getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /**
     * Reads the current warehouse rows of {@code entries} as data-product values, keyed by record
     * key; a row whose subject has not granted {@code purpose} is left out with outcome
     * {@code consent_filtered}.
     */
    private Map<String, ObjectNode> read(WarehouseTable table, List<Entry> entries, String purpose,
                                         Tokeniser active, Map<Long, String> outcomes) throws SQLException {
        Map<String, ObjectNode> out = new HashMap<>();
        if (entries.isEmpty()) {
            return out;
        }
        boolean subjects = table.hasColumn("subject_token");
        String consent = subjects ? """
                , (SELECT e.status FROM caravan.consent_event e WHERE e.purpose = ? AND e.subject_token = t.subject_token
                   ORDER BY e.captured_at DESC, e.event_id DESC LIMIT 1) AS caravan_consent""" : "";
        String sql = "SELECT t.*" + consent + " FROM caravan." + table.tableName() + " t WHERE t.record_key = ANY(?)";
        Set<String> filtered = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            int i = 1;
            if (subjects) {
                select.setString(i++, purpose);
            }
            Array keysArray = connection.createArrayOf("text", entries.stream().map(Entry::recordKey).toArray());
            select.setArray(i, keysArray);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String recordKey = rs.getString("record_key");
                    if (subjects && rs.getString("subject_token") != null
                            && !"granted".equals(rs.getString("caravan_consent"))) {
                        filtered.add(recordKey);
                        continue;
                    }
                    out.put(recordKey, value(table, rs, active));
                }
            }
        }
        for (Entry entry : entries) {
            if (filtered.contains(entry.recordKey())) {
                outcomes.put(entry.id(), "consent_filtered");
            }
        }
        return out;
    }

    private static ObjectNode value(WarehouseTable table, ResultSet rs, Tokeniser active) throws SQLException {
        ObjectNode node = JSON.createObjectNode();
        node.put("schema", "caravan." + table.tableName() + ".v1");
        node.put("key", active.token(rs.getString("record_key")));
        node.put("key_id", active.keyId());
        node.put("partner_id", rs.getString("partner_id"));
        node.put("data_class", rs.getString("data_class"));
        node.put("batch_id", rs.getString("batch_id"));
        node.put("ingested_at", rs.getObject("ingested_at", java.time.OffsetDateTime.class)
                .withOffsetSameInstant(ZoneOffset.UTC).toString());
        for (String column : table.columns().keySet()) {
            if (column.equals("sealed_identifiers")) {
                continue;
            }
            Object value = rs.getObject(column);
            if (value == null) {
                node.putNull(column);
            } else if (column.endsWith("_token")) {
                node.put(column, active.token((String) value));
            } else if (value instanceof BigDecimal decimal) {
                node.put(column, decimal);
            } else if (value instanceof Integer number) {
                node.put(column, number);
            } else if (value instanceof Long number) {
                node.put(column, number);
            } else if (value instanceof Boolean flag) {
                node.put(column, flag);
            } else if (value instanceof Date date) {
                node.put(column, date.toLocalDate().toString());
            } else if (value instanceof Timestamp) {
                node.put(column, rs.getObject(column, java.time.OffsetDateTime.class)
                        .withOffsetSameInstant(ZoneOffset.UTC).toString());
            } else {
                node.put(column, value.toString());
            }
        }
        return node;
    }

    /**
     * Reads the configured topics from shortly before the earliest unfinished attempt of
     * {@code chunk} to their end ({@code read_committed}) and returns the outbox ids found there.
     */
    private Set<Long> recover(List<Entry> chunk) throws SQLException {
        Instant since;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT min(attempted_at) FROM caravan.data_product_outbox
                     WHERE sent_at IS NULL AND attempted_at IS NOT NULL""");
             ResultSet rs = select.executeQuery()) {
            rs.next();
            Timestamp earliest = rs.getTimestamp(1);
            if (earliest == null) {
                return Set.of();
            }
            since = earliest.toInstant().minus(RECOVERY_MARGIN);
        }
        Set<Long> wanted = new HashSet<>();
        chunk.stream().filter(Entry::attempted).forEach(e -> wanted.add(e.id()));
        Set<Long> found = new HashSet<>();
        Properties props = clientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String table : settings.topics().keySet()) {
                List<PartitionInfo> infos = consumer.partitionsFor(settings.topicName(table), Duration.ofSeconds(30));
                if (infos != null) {
                    infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                }
            }
            if (partitions.isEmpty()) {
                return found;
            }
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(p -> times.put(p, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times, Duration.ofSeconds(30));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> remaining = new HashMap<>();
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = starts.get(partition);
                if (start != null && start.offset() < ends.get(partition)) {
                    remaining.put(partition, ends.get(partition));
                }
            }
            consumer.assign(new ArrayList<>(remaining.keySet()));
            remaining.keySet().forEach(p -> consumer.seek(p, starts.get(p).offset()));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!remaining.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("data products: recovery could not read its topics to their end");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Header header = record.headers().lastHeader(OUTBOX_ID);
                    if (header != null) {
                        long id = Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
                        if (wanted.contains(id)) {
                            found.add(id);
                        }
                    }
                }
                remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            }
        }
        return found;
    }

    /** Closes the producer; an open transaction is aborted by the broker when the next one starts. */
    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
