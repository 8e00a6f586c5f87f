package io.caravan.gate;

import io.caravan.audit.AuditTrail;
import io.caravan.harmonise.BatchGate;
import io.caravan.ledger.Ledger;
import io.caravan.pseudonymise.Archive;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the drift and quality gates and the operators' release and reject of quarantined batches. */
@Configuration(proxyBeanMethods = false)
class GateConfiguration {

    @Bean
    BatchGate batchGate(Ledger ledger, DataSource dataSource, ApplicationEventPublisher events,
                        ObjectProvider<MeterRegistry> meters) {
        return new Gates(ledger, dataSource, events, Clock.systemUTC(), meters::getIfAvailable);
    }

    @Bean
    QuarantineDecisions quarantineDecisions(Ledger ledger, Archive archive, AuditTrail audit,
                                            @Value("${caravan.gates.release-timeout:60s}") Duration timeout) {
        return new QuarantineDecisions(ledger, archive, audit, timeout);
    }
}
