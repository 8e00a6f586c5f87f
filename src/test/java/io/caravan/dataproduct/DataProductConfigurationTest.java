package io.caravan.dataproduct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.pseudonymise.KeyRing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class DataProductConfigurationTest {
    @TempDir
    Path data;

    private ApplicationContextRunner runner() throws Exception {
        Path keys = Files.createDirectory(data.resolve("keys"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        KeyRing ring = GeneratedKeyRing.open(keys, List.of(KeyRing.WAREHOUSE));
        return new ApplicationContextRunner()
                .withBean(DataSource.class, PGSimpleDataSource::new)
                .withBean(KeyRing.class, () -> ring)
                .withUserConfiguration(DataProductConfiguration.class);
    }

    @Test
    void embeddedDefaultHasNoKafkaAtAll() throws Exception {
        runner().run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(OutboxPublisher.class)
                    .doesNotHaveBean(OutboxPublisherLoop.class);
            assertThat(context.getBean(KafkaSettings.class).configured()).isFalse();
        });
    }

    @Test
    void enablingDataProductsWithoutBootstrapServersFailsStartUp() throws Exception {
        runner().withPropertyValues("caravan.data-products.enabled=true",
                "caravan.data-products.topics.sale.purpose=analytics").run(context ->
                assertThat(context).hasFailed().getFailure().hasStackTraceContaining("caravan.kafka.bootstrap-servers"));
    }

    @Test
    void enablingDataProductsWithoutATopicFailsStartUp() throws Exception {
        runner().withPropertyValues("caravan.data-products.enabled=true", "caravan.kafka.bootstrap-servers=localhost:1")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("name at least one table"));
    }

    @Test
    void topicsDefaultToTheTableNameAndVersion() {
        var settings = new DataProductProperties(true, Map.of("sale", new DataProductProperties.Topic(null, "analytics"),
                "lead", new DataProductProperties.Topic("custom.lead", "analytics")), Duration.ofSeconds(1), 10, Duration.ofDays(7));
        assertThat(settings.topicName("sale")).isEqualTo("caravan.sale.v1");
        assertThat(settings.topicName("lead")).isEqualTo("custom.lead");
    }

    @Test
    void rejectsATopicForATableThatDoesNotExist() {
        assertThatThrownBy(() -> new DataProductProperties(true,
                Map.of("sales", new DataProductProperties.Topic(null, "analytics")), Duration.ofSeconds(1), 10, Duration.ofDays(7)))
                .hasMessageContaining("caravan.data-products.topics.sales: not a record table");
    }

    @Test
    void kafkaClientPropertiesNeverAppearInToString() {
        var kafka = new KafkaSettings("k:9092", "node-a", Map.of("sasl.jaas.config", "secret-password"));
        assertThat(kafka.toString()).doesNotContain("secret-password").contains("sasl.jaas.config");
    }
}
