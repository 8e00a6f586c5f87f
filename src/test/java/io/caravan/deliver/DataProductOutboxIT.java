package io.caravan.deliver;

import static io.caravan.deliver.Batches.batch;
import static io.caravan.deliver.Batches.row;
import static io.caravan.deliver.Batches.sale;
import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.config.JsonSchemas;
import io.caravan.connector.WarehouseTable;
import io.caravan.dataproduct.DataProductProperties;
import io.caravan.dataproduct.KafkaSettings;
import io.caravan.dataproduct.OutboxPublisher;
import io.caravan.ledger.JdbcLedger;
import io.caravan.pipeline.Disposition;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Data products against a real PostgreSQL and an in-process KRaft broker: the warehouse writer's
 * outbox, the transactional publisher, its recovery after a crash, and erasure tombstones.
 */
class DataProductOutboxIT {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static KafkaClusterTestKit kafka;
    private static DataSource dataSource;
    private static JdbcTemplate sql;
    private static int topicCount;

    @TempDir
    static Path data;

    private KeyRing keys;
    private WarehouseWriter writer;
    private String topic;
    private DataProductProperties settings;
    private KafkaSettings kafkaSettings;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                .setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "1")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("num.partitions", "1")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        dataSource = TestDatabase.fresh("data_product_outbox_it");
        sql = new JdbcTemplate(dataSource);
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        sql.execute("TRUNCATE caravan.sale, caravan.batch, caravan.rejection, caravan.batch_warning, "
                + "caravan.consent_event, caravan.data_product_outbox");
        Path keyDir = data.resolve("keys");
        if (!Files.exists(keyDir)) {
            Files.createDirectory(keyDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        keys = GeneratedKeyRing.open(keyDir, List.of(KeyRing.WAREHOUSE, DataProductProperties.KEY_DOMAIN));
        writer = new WarehouseWriter(dataSource, new JdbcLedger(dataSource),
                WarehouseProperties.defaults().withChunkRows(3), Clock.systemUTC(), true);
        topic = "test" + (++topicCount) + ".sale.v1";
        settings = new DataProductProperties(true, Map.of("sale", new DataProductProperties.Topic(topic, "analytics")),
                Duration.ofSeconds(1), 2, Duration.ofDays(7));
        kafkaSettings = new KafkaSettings(kafka.bootstrapServers(), "it", Map.of());
    }

    private void consent(String subjectToken, String status) {
        sql.update("""
                INSERT INTO caravan.consent_event (event_id, subject_token, purpose, status, basis, captured_at)
                VALUES (?, ?, 'analytics', ?, 'consent', now())""", "e-" + subjectToken, subjectToken, status);
    }

    private static String token(char c) {
        return String.valueOf(c).repeat(64);
    }

    /** Writes a batch of six rows, of which k1 and k3 are delivered and publishable. */
    private void writeMixedBatch() {
        consent(token('a'), "granted");
        consent(token('b'), "withdrawn");
        writer.write(batch("b-1",
                sale(1, "k1", "Golf").with("subject_token", token('a')).with("vin_token", token('c')),
                sale(2, "k2", "Polo").with("subject_token", token('b')),
                sale(3, "k3", "ID.3"),
                sale(4, "k1", "Golf later duplicate in the batch"),
                row(5, "k5").rejected("vin", "invalid VIN check digit"),
                sale(6, "k6", "ID.4").disposed(Disposition.CONSENT_FILTERED)).batch(), WarehouseTable.SALE);
    }

    @Test
    void topicHoldsExactlyTheDeliveredRowsOfABatchUnderTokensOfItsOwn() throws Exception {
        writeMixedBatch();
        // a later batch that changes nothing delivers nothing, so publishes nothing
        writer.write(batch("b-2", sale(3, "k3", "ID.3")).batch(), WarehouseTable.SALE);
        assertThat(sql.queryForObject("SELECT rows_delivered FROM caravan.batch WHERE batch_id = 'b-2'", Long.class)).isZero();
        assertThat(sql.queryForList("SELECT record_key FROM caravan.data_product_outbox ORDER BY record_key",
                String.class)).containsExactly("k1", "k2", "k3");

        try (OutboxPublisher publisher = new OutboxPublisher(dataSource, keys, kafkaSettings, settings)) {
            assertThat(publisher.publishPending()).isEqualTo(3);
        }

        List<ConsumerRecord<String, byte[]>> records = readCommitted(topic);
        var dataProducts = keys.tokeniser(DataProductProperties.KEY_DOMAIN);
        assertThat(records).extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder(dataProducts.token("k1"), dataProducts.token("k3"));
        var schema = JsonSchemas.load("/dataproducts/caravan.sale.v1.schema.json");
        for (ConsumerRecord<String, byte[]> record : records) {
            String text = new String(record.value(), StandardCharsets.UTF_8);
            JsonNode value = JSON.readTree(text);
            assertThat(JsonSchemas.validate(schema, value)).isEmpty();
            assertThat(value.get("key").asString()).isEqualTo(record.key());
            assertThat(text).doesNotContain(token('a'), token('c'), "\"k1\"", "\"k3\"", "wh-2026-01");
        }
        JsonNode golf = records.stream().map(r -> JSON.readTree(r.value()))
                .filter(v -> v.get("model").asString().equals("Golf")).findFirst().orElseThrow();
        assertThat(golf.get("subject_token").asString()).isEqualTo(dataProducts.token(token('a')));
        assertThat(golf.get("vin_token").asString()).isEqualTo(dataProducts.token(token('c')));
        assertThat(golf.get("batch_id").asString()).isEqualTo("b-1");
        assertThat(sql.queryForList("SELECT record_key || ':' || outcome FROM caravan.data_product_outbox"
                + " WHERE sent_at IS NOT NULL ORDER BY record_key", String.class))
                .containsExactly("k1:published", "k2:consent_filtered", "k3:published");
    }

    @Test
    void batchCommittedWhilePublisherWasDownIsPublishedOnceWhenItStarts() throws Exception {
        writeMixedBatch();
        try (OutboxPublisher publisher = new OutboxPublisher(dataSource, keys, kafkaSettings, settings)) {
            assertThat(publisher.publishPending()).isEqualTo(3);
            assertThat(publisher.publishPending()).isZero();
        }
        try (OutboxPublisher restarted = new OutboxPublisher(dataSource, keys, kafkaSettings, settings)) {
            assertThat(restarted.publishPending()).isZero();
        }
        assertThat(readCommitted(topic)).hasSize(2);
    }

    @Test
    void crashAfterKafkaCommitBeforeMarkingDoesNotPublishTwice() throws Exception {
        writeMixedBatch();
        try (OutboxPublisher publisher = new OutboxPublisher(dataSource, keys, kafkaSettings, settings)) {
            publisher.publishPending();
        }
        // the process died after the Kafka commit, before the outbox rows were marked sent
        sql.update("UPDATE caravan.data_product_outbox SET sent_at = NULL, outcome = NULL");

        try (OutboxPublisher restarted = new OutboxPublisher(dataSource, keys, kafkaSettings, settings)) {
            assertThat(restarted.publishPending()).isEqualTo(3);
        }
        assertThat(readCommitted(topic)).hasSize(2);
        assertThat(sql.queryForObject("SELECT count(*) FROM caravan.data_product_outbox WHERE sent_at IS NULL",
                Long.class)).isZero();
    }

    @Test
    void crashBeforeKafkaCommitLeavesNothingVisibleAndRepublishesOnce() throws Exception {
        writeMixedBatch();
        // a publisher died inside its Kafka transaction: records sent, never committed, rows attempted
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("transactional.id", "caravan-data-products-it");
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        KafkaProducer<String, byte[]> zombie = new KafkaProducer<>(props);
        zombie.initTransactions();
        zombie.beginTransaction();
        for (Long id : sql.queryForList("SELECT outbox_id FROM caravan.data_product_outbox", Long.class)) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, "dead", "{}".getBytes(StandardCharsets.UTF_8));
            record.headers().add("caravan-outbox-id", id.toString().getBytes(StandardCharsets.UTF_8));
            zombie.send(record);
        }
        zombie.flush();
        sql.update("UPDATE caravan.data_product_outbox SET attempted_at = now()");

        try (OutboxPublisher restarted = new OutboxPublisher(dataSource, keys, kafkaSettings, settings)) {
            assertThat(restarted.publishPending()).isEqualTo(3);
        } finally {
            zombie.close(Duration.ZERO);
        }
        assertThat(readCommitted(topic)).extracting(ConsumerRecord::key).doesNotContain("dead").hasSize(2);
    }

    @Test
    void erasedRecordsArePublishedAsTombstones() throws Exception {
        writeMixedBatch();
        try (OutboxPublisher publisher = new OutboxPublisher(dataSource, keys, kafkaSettings, settings)) {
            publisher.publishPending();
            // what privacy.Erasure queues in its transaction, then deletes
            sql.update("INSERT INTO caravan.data_product_outbox (kind, table_name, record_key)"
                    + " SELECT 'erasure', 'sale', record_key FROM caravan.sale WHERE subject_token = ?", token('a'));
            sql.update("DELETE FROM caravan.sale WHERE subject_token = ?", token('a'));
            assertThat(publisher.publishPending()).isEqualTo(1);
        }
        List<ConsumerRecord<String, byte[]>> records = readCommitted(topic);
        assertThat(records).hasSize(3);
        ConsumerRecord<String, byte[]> tombstone = records.get(records.size() - 1);
        assertThat(tombstone.key()).isEqualTo(keys.tokeniser(DataProductProperties.KEY_DOMAIN).token("k1"));
        assertThat(tombstone.value()).isNull();
        assertThat(new String(tombstone.headers().lastHeader("caravan-event").value(), StandardCharsets.UTF_8))
                .isEqualTo("erasure");
    }

    @Test
    void sentRowsOlderThanKeepSentAreDeletedPendingOnesNever() throws Exception {
        writeMixedBatch();
        try (OutboxPublisher publisher = new OutboxPublisher(dataSource, keys, kafkaSettings, settings)) {
            publisher.publishPending();
        }
        sql.update("UPDATE caravan.data_product_outbox SET sent_at = now() - interval '8 days' WHERE record_key = 'k1'");
        sql.update("INSERT INTO caravan.data_product_outbox (kind, table_name, record_key, created_at)"
                + " VALUES ('record', 'lead', 'old-but-pending', now() - interval '30 days')");
        var noLead = new DataProductProperties(true, Map.of("sale", new DataProductProperties.Topic(topic, "analytics")),
                Duration.ofSeconds(1), 2, Duration.ofDays(7));
        try (OutboxPublisher restarted = new OutboxPublisher(dataSource, keys, kafkaSettings, noLead)) {
            restarted.publishPending();
        }
        assertThat(sql.queryForList("SELECT record_key || ':' || outcome FROM caravan.data_product_outbox ORDER BY record_key",
                String.class)).containsExactly("k2:consent_filtered", "k3:published", "old-but-pending:no_topic");
    }

    @Test
    void whileAnotherNodesPublisherHoldsTheLockNothingIsPublishedTwice() throws Exception {
        writeMixedBatch();
        try (var otherNode = dataSource.getConnection();
             OutboxPublisher publisher = new OutboxPublisher(dataSource, keys, kafkaSettings, settings)) {
            try (var lock = otherNode.prepareStatement("SELECT pg_advisory_lock(?)")) {
                lock.setLong(1, 0x63617261_16_0001L);
                lock.execute();
            }
            assertThat(publisher.publishPending()).isZero();
            try (var unlock = otherNode.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                unlock.setLong(1, 0x63617261_16_0001L);
                unlock.execute();
            }
            assertThat(publisher.publishPending()).isEqualTo(3);
        }
        assertThat(readCommitted(topic)).hasSize(2);
    }

    /** Every committed record of {@code topic}, in offset order (one partition). */
    private static List<ConsumerRecord<String, byte[]>> readCommitted(String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("isolation.level", "read_committed");
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
