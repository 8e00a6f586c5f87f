package io.caravan.platform;

import io.caravan.ledger.Ledger;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Recovery after a crash, for the embedded default ({@code caravan.embedded.enabled=true}) only:
 * {@link EmbeddedWarehouse} has already stopped a PostgreSQL left serving the data directory
 * ({@link OrphanPostgres}); here the batches the dead process left running are failed
 * ({@link InterruptedBatches}, single node by construction). The recovery runs while the beans
 * are created, after the Flyway migration and before the Camel context starts its routes (it
 * starts once every bean exists), so no batch of this run can be mistaken for an interrupted one.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "caravan.embedded", name = "enabled", havingValue = "true")
class RecoveryConfiguration {

    @Bean
    @DependsOnDatabaseInitialization
    InterruptedBatches interruptedBatches(Ledger ledger) {
        InterruptedBatches batches = new InterruptedBatches(ledger);
        batches.recover();
        return batches;
    }
}
