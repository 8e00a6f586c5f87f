package io.caravan.lineage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineage.RunEvent;
import io.openlineage.client.transports.ConsoleTransport;
import io.openlineage.client.transports.KafkaTransport;
import io.openlineage.client.transports.Transport;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenLineage client's file, console and Kafka transports are built from Caravan's loaded configuration. */
class LineageTransportsTest {
    @TempDir
    Path dir;

    private LineageConfigLoader.Loaded load(String yaml) throws Exception {
        Files.writeString(dir.resolve("openlineage.yml"), yaml);
        return new LineageConfigLoader(Map.of(), dir, null).load();
    }

    @Test
    void fileTransportAppendsOneEventPerLine() throws Exception {
        Path events = dir.resolve("events.ndjson");
        Transport transport = LineageTransports.build(load("transport:\n  type: file\n  location: " + events + "\n"), null);
        try (AsyncTransport sink = new AsyncTransport("file", transport, 10, new SimpleMeterRegistry())) {
            sink.offer(event("a"));
            sink.offer(event("b"));
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(events) && Files.readAllLines(events).size() == 2);
        }
        assertThat(Files.readAllLines(events)).allSatisfy(line -> assertThat(line).startsWith("{").contains("\"eventType\":\"COMPLETE\""));
    }

    @Test
    void consoleAndKafkaTransportsAreTheClientsOwn() throws Exception {
        assertThat(LineageTransports.build(load("transport:\n  type: console\n"), null)).isInstanceOf(ConsoleTransport.class);
        Transport kafka = LineageTransports.build(load("""
                transport:
                  type: kafka
                  topicName: caravan-lineage
                  properties:
                    bootstrap.servers: 127.0.0.1:1
                    key.serializer: org.apache.kafka.common.serialization.StringSerializer
                    value.serializer: org.apache.kafka.common.serialization.StringSerializer
                """), null);
        assertThat(kafka).isInstanceOf(KafkaTransport.class);
        kafka.close();
    }

    private static RunEvent event(String job) {
        OpenLineage ol = new OpenLineage(URI.create("https://example.org/caravan-test"));
        return ol.newRunEventBuilder().eventType(RunEvent.EventType.COMPLETE).eventTime(ZonedDateTime.now())
                .run(ol.newRun(UUID.randomUUID(), null)).job(ol.newJob("caravan", job, null))
                .inputs(List.of()).outputs(List.of()).build();
    }
}
