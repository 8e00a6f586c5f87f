package io.caravan.exchange;

import io.caravan.platform.LocalEnv;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the {@link SftpGateway} when {@code caravan.sftp.gateway.enabled} is true (the default).
 * {@link LocalEnv} and a {@link MeterRegistry} are used when present.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SftpProperties.class)
@ConditionalOnProperty(name = "caravan.sftp.gateway.enabled", havingValue = "true", matchIfMissing = true)
class SftpGatewayConfiguration {

    @Bean
    SftpGateway sftpGateway(SftpProperties properties,
            @Value("${caravan.data-dir:data}") Path dataDir,
            @Value("${caravan.config-dir:config}") Path configDir,
            ObjectProvider<LocalEnv> localEnv,
            ObjectProvider<MeterRegistry> meters) {
        return new SftpGateway(properties.toSettings(dataDir, configDir), localEnv.getIfAvailable(),
                meters.getIfAvailable(), Clock.systemUTC());
    }
}
