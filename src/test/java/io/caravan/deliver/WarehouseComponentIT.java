package io.caravan.deliver;

import static io.caravan.deliver.Batches.batch;
import static io.caravan.deliver.Batches.row;
import static io.caravan.deliver.Batches.sale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.JdbcLedger;
import io.caravan.pipeline.Disposition;
import io.caravan.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;

class WarehouseComponentIT {
    private static DataSource dataSource;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private CamelContext camel;
    private ProducerTemplate template;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.fresh("warehouse_component_it");
    }

    @BeforeEach
    void startCamel() throws Exception {
        new JdbcTemplate(dataSource).execute("TRUNCATE caravan.sale, caravan.rejection, caravan.batch_warning, "
                + "caravan.batch");
        camel = camelWith(meters);
        template = camel.createProducerTemplate();
        Logger producerLog = (Logger) LoggerFactory.getLogger(WarehouseProducer.class);
        producerLog.setLevel(Level.INFO);
        log.start();
        producerLog.addAppender(log);
    }

    @AfterEach
    void stopCamel() throws Exception {
        ((Logger) LoggerFactory.getLogger(WarehouseProducer.class)).detachAppender(log);
        camel.close();
    }

    private static CamelContext camelWith(MeterRegistry registry) throws Exception {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        if (registry != null) {
            beans.registerSingleton("meterRegistry", registry);
        }
        WarehouseWriter writer = new WarehouseWriter(dataSource, new JdbcLedger(dataSource),
                WarehouseProperties.defaults(), Clock.systemUTC());
        CamelContext camel = new DefaultCamelContext();
        camel.addComponent("warehouse", new WarehouseComponent(writer, beans.getBeanProvider(MeterRegistry.class)));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:sales").routeId("dealer-nord-sales").to("warehouse:sale");
            }
        });
        camel.start();
        return camel;
    }

    @Test
    void deliversTheBatchAndAnswersWithItsSummaryAndBatchId() {
        var batch = batch("b-route", sale(1, "k1", "Golf-secret"), sale(2, "k2", "Polo"),
                row(3, "k3").rejected("vin", "invalid VIN"), sale(4, "k4", "Up").disposed(Disposition.SUPPRESSED),
                sale(5, "k1", "Golf-secret").warned("email", "invalid e-mail address"));

        Exchange answer = template.request("direct:sales", e -> e.getIn().setBody(batch.batch()));

        assertThat(answer.getException()).isNull();
        BatchSummary summary = answer.getMessage().getBody(BatchSummary.class);
        assertThat(summary.status()).isEqualTo(BatchSummary.COMPLETED);
        assertThat(summary.rowsDelivered()).isEqualTo(2);
        assertThat(answer.getMessage().getHeader("CaravanBatchId")).isEqualTo("b-route");
        assertThat(new JdbcTemplate(dataSource).queryForObject("SELECT count(*) FROM caravan.sale", Long.class))
                .isEqualTo(2);
    }

    @Test
    void logsOneLineOfCountsPerBatch() {
        var batch = batch("b-log", sale(1, "k1", "Golf-secret"), sale(2, "k2", "Polo"),
                row(3, "k3").rejected("vin", "invalid VIN"), sale(4, "k4", "Up").disposed(Disposition.CONSENT_FILTERED),
                sale(5, "k1", "Golf-secret").warned("email", "invalid e-mail address"));

        template.sendBody("direct:sales", batch.batch());

        assertThat(log.list).hasSize(1);
        assertThat(log.list.get(0).getLevel()).isEqualTo(Level.INFO);
        assertThat(log.list.get(0).getFormattedMessage())
                .startsWith("batch b-log route=dealer-nord-sales source=sales_2026-11.csv: 5 in, 2 delivered, "
                        + "1 rejected, 1 consent-filtered, 0 suppressed, 1 duplicate, 1 warnings (")
                .endsWith(" s)")
                .doesNotContain("secret");
    }

    @Test
    void countsRowsByOutcomeAndTimesTheBatch() {
        template.sendBody("direct:sales", batch("b-m1", sale(1, "k1", "Golf"), sale(2, "k2", "Polo"),
                row(3, "k3").rejected("vin", "invalid VIN")).batch());
        template.sendBody("direct:sales", batch("b-m2", sale(1, "k1", "Golf"),
                sale(2, "k9", "Up").disposed(Disposition.SUPPRESSED)).batch());

        assertThat(rows("delivered")).isEqualTo(2);
        assertThat(rows("rejected")).isEqualTo(1);
        assertThat(rows("duplicate")).isEqualTo(1);
        assertThat(rows("suppressed")).isEqualTo(1);
        assertThat(rows("consent_filtered")).isZero();
        assertThat(meters.get("caravan.batch.duration").tag("route", "dealer-nord-sales").timer().count())
                .isEqualTo(2);
    }

    @Test
    void deliversWithoutAMeterRegistry() throws Exception {
        try (CamelContext bare = camelWith(null)) {
            BatchSummary summary = bare.createProducerTemplate().requestBody("direct:sales",
                    batch("b-bare", sale(1, "k1", "Golf")).batch(), BatchSummary.class);

            assertThat(summary.rowsDelivered()).isEqualTo(1);
        }
    }

    @Test
    void refusesABodyThatIsNoRecordBatch() {
        assertThatThrownBy(() -> template.sendBody("direct:sales", "a,b,c"))
                .isInstanceOf(CamelExecutionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessage("warehouse:sale expects a RecordBatch from harmonise; got java.lang.String");
    }

    @Test
    void anUnknownTableFailsWhenTheEndpointIsCreatedAndNamesTheAllowedOnes() {
        assertThatThrownBy(() -> camel.getEndpoint("warehouse:sales"))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasMessageContaining("unknown table")
                .hasMessageContaining("allowed: lead, sale, contract, insurance, campaign_performance");
    }

    @Test
    void anUnknownOptionFailsWhenTheEndpointIsCreated() {
        assertThatThrownBy(() -> camel.getEndpoint("warehouse:sale?mode=fast"))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasMessageContaining("mode");
    }

    private double rows(String outcome) {
        return meters.get("caravan.rows").tag("route", "dealer-nord-sales").tag("outcome", outcome).counter().count();
    }
}
