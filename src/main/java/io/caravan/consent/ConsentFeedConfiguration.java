package io.caravan.consent;

import io.caravan.ledger.Ledger;
import io.caravan.audit.AuditTrail;
import io.caravan.pseudonymise.KeyRing;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the consent feeds ({@code ${caravan.config-dir}/consent-feeds.yaml}, {@code tcf.yaml}) and
 * their {@code consent-feed:} step.
 */
@Configuration(proxyBeanMethods = false)
class ConsentFeedConfiguration {

    @Bean
    ConsentFeeds consentFeeds(Environment environment, PurposeRegistry purposes) {
        return ConsentFeeds.load(Path.of(environment.getProperty("caravan.config-dir", "config"), "consent-feeds.yaml"), purposes);
    }

    @Bean
    TcfPurposes tcfPurposes(Environment environment, PurposeRegistry purposes) {
        return TcfPurposes.load(Path.of(environment.getProperty("caravan.config-dir", "config"), "tcf.yaml"), purposes);
    }

    @Bean
    ConsentFeedSink consentFeedSink(DataSource dataSource, Ledger ledger, ConsentStore store, PurposeRegistry purposes,
                                    TcfPurposes tcf, KeyRing keys, AuditTrail audit) {
        return new ConsentFeedSink(dataSource, ledger, store, purposes, tcf, keys, audit, Clock.systemUTC());
    }

    /** {@code consent-feed:<feed>}. */
    @Bean("consent-feed")
    ConsentFeedComponent consentFeedComponent(ConsentFeeds feeds, ConsentFeedSink sink) {
        return new ConsentFeedComponent(feeds, sink);
    }

}
