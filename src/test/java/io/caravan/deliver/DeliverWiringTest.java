package io.caravan.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.ledger.JdbcLedger;
import io.caravan.ledger.Ledger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The Spring wiring of the deliver package, without a database (nothing connects at start-up). */
class DeliverWiringTest {
    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withBean(DataSource.class, PGSimpleDataSource::new)
            .withUserConfiguration(DeliverConfiguration.class, JdbcLedger.class, WarehouseComponent.class);

    @Test
    void theWarehouseComponentIsABeanNamedByItsScheme() {
        context.run(app -> {
            assertThat(app).hasNotFailed();
            assertThat(app.getBean("warehouse")).isInstanceOf(WarehouseComponent.class);
            assertThat(app).hasSingleBean(WarehouseWriter.class).hasSingleBean(Ledger.class);
        });
    }

    @Test
    void propertiesDefaultSafelyAndBind() {
        context.run(app -> assertThat(app.getBean(WarehouseProperties.class)).isEqualTo(WarehouseProperties.defaults()));
        context.withPropertyValues("caravan.warehouse.chunk-rows=5000", "caravan.warehouse.merge-work-mem=16MB")
                .run(app -> assertThat(app.getBean(WarehouseProperties.class))
                        .isEqualTo(new WarehouseProperties(5000, "16MB")));
    }

    @Test
    void anUnsafeSettingStopsStartUpNamingTheProperty() {
        context.withPropertyValues("caravan.warehouse.chunk-rows=0").run(app ->
                assertThat(app).getFailure().rootCause().hasMessageContaining("caravan.warehouse.chunk-rows"));
        context.withPropertyValues("caravan.warehouse.merge-work-mem=64MB; DROP TABLE x").run(app ->
                assertThat(app).getFailure().rootCause().hasMessageContaining("caravan.warehouse.merge-work-mem"));
    }
}
