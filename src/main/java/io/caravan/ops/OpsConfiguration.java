package io.caravan.ops;

import io.caravan.ledger.Ledger;
import org.apache.camel.CamelContext;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The ops API's services: the route catalog and "run now". */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(OpsProperties.class)
class OpsConfiguration {

    @Bean
    RouteCatalog routeCatalog(CamelContext camel, Ledger ledger) {
        return new RouteCatalog(camel, ledger);
    }

    @Bean(destroyMethod = "close")
    RouteTrigger routeTrigger(RouteCatalog catalog, Ledger ledger, OpsProperties ops) {
        return new RouteTrigger(catalog, ledger, ops.runWait());
    }
}
