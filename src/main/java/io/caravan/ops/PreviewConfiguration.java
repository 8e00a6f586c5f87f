package io.caravan.ops;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.harmonise.DryRun;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The connector preview ({@code POST /api/connectors/{id}/preview}) and its limits. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PreviewProperties.class)
class PreviewConfiguration {

    @Bean
    ConnectorPreview connectorPreview(CamelContext camel, ConnectorRegistry connectors, DryRun dryRun,
                                      DataSource dataSource, PreviewProperties properties) {
        return new ConnectorPreview(camel, connectors, dryRun, new JdbcTemplate(dataSource), properties);
    }
}
