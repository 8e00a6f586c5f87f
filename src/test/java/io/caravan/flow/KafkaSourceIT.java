package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's Kafka source route (routes/versicherung-direkt/events-kafka.camel.yaml) in the
 * real application against an in-process KRaft broker: one ledger batch per N records, an exact
 * ledger, and the offset committed only after the warehouse commit.
 */
class KafkaSourceIT {
    private static final String ROUTE = "versicherung-direkt-events-kafka";
    private static final String GROUP = "caravan-versicherung-direkt-events";
    private static KafkaClusterTestKit kafka;

    @TempDir
    Path data;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                .setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("num.partitions", "1")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    private CaravanApp app(String topic, String... more) {
        List<String> properties = new java.util.ArrayList<>(List.of(
                "caravan.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "caravan.kafka.sources.enabled=true",
                "caravan.kafka.sources.versicherung-direkt-events.topic=" + topic,
                "caravan.kafka.sources.versicherung-direkt-events.batch-records=10",
                "caravan.kafka.sources.versicherung-direkt-events.batch-interval-ms=1500"));
        properties.addAll(List.of(more));
        return CaravanApp.start(data, properties.toArray(String[]::new));
    }

    private static void produce(String topic, int from, int to, String premiumBand) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = from; i < to; i++) {
                String value = i == 3 && premiumBand.equals("A") ? "not json"
                        : "{\"eventId\":\"EV-" + i + "\",\"eventType\":\"Renewal\",\"eventDate\":\"2026-11-0" + (1 + i % 9)
                        + "\",\"premiumBand\":\"" + premiumBand + "\",\"vehicle\":{\"make\":\"Volkswagen\",\"model\":\"Golf\"}}";
                producer.send(new ProducerRecord<>(topic, "k" + i, value));
            }
            producer.flush();
        }
    }

    private static long committedOffset(String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, 0));
            return offset == null ? 0 : offset.offset();
        }
    }

    @Test
    void recordsBecomeOneBatchPerNRecordsWithAnExactLedger() throws Exception {
        String topic = "partner.events.counted";
        produce(topic, 0, 25, "A");
        String[] dataProducts = {"caravan.data-products.enabled=true",
                "caravan.data-products.topics.insurance.purpose=analytics", "caravan.data-products.poll-interval=200ms"};
        try (CaravanApp app = app(topic, dataProducts)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    app.jdbc().queryForObject("SELECT coalesce(sum(rows_in), 0) FROM caravan.batch WHERE route_id = ?"
                            + " AND status = 'completed'", Long.class, ROUTE) == 25);
            List<Map<String, Object>> batches = app.jdbc().queryForList(
                    "SELECT * FROM caravan.batch WHERE route_id = ? ORDER BY started_at", ROUTE);
            assertThat(batches).allSatisfy(batch -> {
                assertThat(batch.get("status")).isEqualTo("completed");
                assertThat(((Number) batch.get("rows_in")).longValue()).isBetween(1L, 10L);
                assertThat(batch.get("source")).isEqualTo("kafka:" + topic);
            });
            assertThat(batches.size()).isGreaterThanOrEqualTo(3);
            assertThat(app.jdbc().queryForObject("SELECT sum(rows_delivered) FROM caravan.batch WHERE route_id = ?",
                    Long.class, ROUTE)).isEqualTo(24);
            assertThat(app.jdbc().queryForObject("SELECT sum(rows_rejected) FROM caravan.batch WHERE route_id = ?",
                    Long.class, ROUTE)).isEqualTo(1);
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.insurance", Long.class)).isEqualTo(24);
            await().atMost(Duration.ofSeconds(20)).until(() -> committedOffset(topic) == 25);
            // the data product holds exactly the delivered rows, published once after each warehouse commit
            await().atMost(Duration.ofSeconds(30)).until(() -> app.jdbc().queryForObject(
                    "SELECT count(*) FROM caravan.data_product_outbox WHERE sent_at IS NOT NULL", Long.class) == 24);
            assertThat(committedRecords("caravan.insurance.v1")).isEqualTo(24);
        }
        // a restart (the publisher stopped at any point) publishes nothing twice
        try (CaravanApp restarted = app(topic, dataProducts)) {
            Thread.sleep(2_000);
            assertThat(restarted.jdbc().queryForObject(
                    "SELECT count(*) FROM caravan.data_product_outbox WHERE sent_at IS NULL", Long.class)).isZero();
            assertThat(committedRecords("caravan.insurance.v1")).isEqualTo(24);
        }
    }

    /** The number of committed records of a one-partition topic. */
    private static long committedRecords(String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("isolation.level", "read_committed");
        props.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        props.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        long count = 0;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        return count;
    }

    @Test
    void aFailureBeforeTheWarehouseCommitLeavesTheOffsetAndTheRecordsAreReadAgain() throws Exception {
        String topic = "partner.events.failing";
        try (CaravanApp app = app(topic)) {
            // the warehouse refuses band E: the batch fails inside the warehouse transaction
            app.jdbc().execute("ALTER TABLE caravan.insurance ADD CONSTRAINT test_refuses_e CHECK (premium_band <> 'E')");
            produce(topic, 100, 105, "E");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    app.jdbc().queryForObject("SELECT count(*) FROM caravan.batch WHERE route_id = ? AND status = 'failed'",
                            Long.class, ROUTE) >= 1);
            assertThat(committedOffset(topic)).isZero();
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.insurance", Long.class)).isZero();

            app.jdbc().execute("ALTER TABLE caravan.insurance DROP CONSTRAINT test_refuses_e");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    app.jdbc().queryForObject("SELECT count(*) FROM caravan.insurance", Long.class) == 5);
            await().atMost(Duration.ofSeconds(20)).until(() -> committedOffset(topic) == 5);
            assertThat(app.jdbc().queryForObject("SELECT sum(rows_delivered) FROM caravan.batch WHERE route_id = ?"
                    + " AND status = 'completed'", Long.class, ROUTE)).isEqualTo(5);
        }
    }
}
