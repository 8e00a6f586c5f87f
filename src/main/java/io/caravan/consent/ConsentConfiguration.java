package io.caravan.consent;

import io.caravan.ledger.JdbcLedger;
import io.caravan.privacy.AuditTrail;
import io.caravan.pseudonymise.KeyRing;
import java.time.Clock;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the purposes ({@code ${caravan.config-dir}/purposes.yaml}), the consent store and the check,
 * and the consent feeds ({@code consent-feeds.yaml}, {@code tcf.yaml}) with their {@code consent-feed:} step.
 */
@Configuration(proxyBeanMethods = false)
class ConsentConfiguration {

    @Bean
    PurposeRegistry purposeRegistry(Environment environment) {
        return PurposeRegistry.load(Path.of(environment.getProperty("caravan.config-dir", "config"), "purposes.yaml"));
    }

    @Bean
    ConsentStore consentStore(DataSource dataSource, PurposeRegistry purposes) {
        return new ConsentStore(dataSource, purposes);
    }

    @Bean
    ConsentFeeds consentFeeds(Environment environment, PurposeRegistry purposes) {
        return ConsentFeeds.load(Path.of(environment.getProperty("caravan.config-dir", "config"), "consent-feeds.yaml"), purposes);
    }

    @Bean
    TcfPurposes tcfPurposes(Environment environment, PurposeRegistry purposes) {
        return TcfPurposes.load(Path.of(environment.getProperty("caravan.config-dir", "config"), "tcf.yaml"), purposes);
    }

    @Bean
    ConsentFeedSink consentFeedSink(DataSource dataSource, JdbcLedger ledger, ConsentStore store, PurposeRegistry purposes,
                                    TcfPurposes tcf, KeyRing keys, AuditTrail audit) {
        return new ConsentFeedSink(dataSource, ledger, store, purposes, tcf, keys, audit, Clock.systemUTC());
    }

    /** {@code consent-feed:<feed>}. */
    @Bean("consent-feed")
    ConsentFeedComponent consentFeedComponent(ConsentFeeds feeds, ConsentFeedSink sink) {
        return new ConsentFeedComponent(feeds, sink);
    }

    @Bean
    ConsentCheck consentCheck(DataSource dataSource, KeyRing keys) {
        return new JdbcConsentCheck(dataSource, keys);
    }
}
