package io.caravan.pseudonymise;

import java.nio.file.Path;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the key ring, the policies and the pseudonymisers. With no Spring profile active (the
 * embedded default) keys are generated under {@code ${caravan.data-dir}/keys}; otherwise they
 * come from {@code caravan.keys.*} and a missing one stops start-up. {@code caravan.keys.generate}
 * overrides the choice either way. Policies come from {@code ${caravan.config-dir}/policies.yaml}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(KeyProperties.class)
class PseudonymiseConfiguration {

    @Bean
    KeyRing keyRing(KeyProperties properties, Environment environment) {
        boolean generate = properties.generate() != null
                ? properties.generate() : environment.getActiveProfiles().length == 0;
        if (generate) {
            Path dataDir = Path.of(environment.getProperty("caravan.data-dir", "data"));
            return GeneratedKeyRing.open(dataDir.resolve("keys"), properties.requiredDomains());
        }
        return ConfiguredKeyRing.from(properties);
    }

    @Bean
    PolicyRegistry policyRegistry(Environment environment) {
        return PolicyRegistry.load(Path.of(environment.getProperty("caravan.config-dir", "config"), "policies.yaml"));
    }

    @Bean
    Pseudonymisers pseudonymisers(PolicyRegistry policies, KeyRing keys) {
        return new Pseudonymisers(policies, keys);
    }
}
