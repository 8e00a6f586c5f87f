package io.caravan.deliver;

import io.caravan.ledger.Ledger;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the warehouse writer (bean {@code warehouseWriter}) used by the {@code warehouse:} component. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WarehouseProperties.class)
class DeliverConfiguration {

    @Bean
    WarehouseWriter warehouseWriter(DataSource dataSource, Ledger ledger, WarehouseProperties properties,
                                    @Value("${caravan.data-products.enabled:false}") boolean dataProducts) {
        return new WarehouseWriter(dataSource, ledger, properties, Clock.systemUTC(), dataProducts);
    }
}
