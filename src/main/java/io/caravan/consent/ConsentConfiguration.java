package io.caravan.consent;

import io.caravan.pseudonymise.KeyRing;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Wires the purposes ({@code ${caravan.config-dir}/purposes.yaml}), the consent store and the check. */
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
    ConsentCheck consentCheck(DataSource dataSource, KeyRing keys) {
        return new JdbcConsentCheck(dataSource, keys);
    }

    @Bean
    BatchSubjects batchSubjects(DataSource dataSource, KeyRing keys) {
        return new BatchSubjects(dataSource, keys);
    }
}
