package io.caravan.exchange;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the {@link PartnerSandbox} when {@code caravan.partner-sandbox.enabled} is true (the
 * embedded default), under {@code ${caravan.data-dir}/partner-sandbox}, on
 * {@code caravan.partner-sandbox.port} (default 0: any free port), with folders for
 * {@code caravan.partner-sandbox.partners}. It then publishes where it listens, for routes and
 * configuration to use as placeholders: {@code caravan.partner-sandbox.host}, {@code .actual-port},
 * {@code .user}, {@code .private-key-file}, {@code .known-hosts-file}. Routes are created after
 * this bean, so their placeholders resolve.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "caravan.partner-sandbox.enabled", havingValue = "true")
class PartnerSandboxConfiguration {

    @Bean(destroyMethod = "close")
    PartnerSandbox partnerSandbox(ConfigurableEnvironment environment,
            @Value("${caravan.data-dir:data}") Path dataDir,
            @Value("${caravan.partner-sandbox.port:0}") int port,
            @Value("${caravan.partner-sandbox.partners:dealer-sued}") List<String> partners) throws IOException {
        PartnerSandbox sandbox = PartnerSandbox.start(dataDir.resolve("partner-sandbox"), port, partners);
        environment.getPropertySources().addFirst(new MapPropertySource("partnerSandbox", Map.of(
                "caravan.partner-sandbox.host", PartnerSandbox.HOST,
                "caravan.partner-sandbox.actual-port", Integer.toString(sandbox.port()),
                "caravan.partner-sandbox.user", PartnerSandbox.USER,
                "caravan.partner-sandbox.private-key-file", sandbox.clientKey().toString(),
                "caravan.partner-sandbox.known-hosts-file", sandbox.knownHosts().toString())));
        return sandbox;
    }
}
