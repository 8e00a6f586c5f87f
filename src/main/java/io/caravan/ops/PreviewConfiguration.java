package io.caravan.ops;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.harmonise.DryRun;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The connector preview ({@code POST /api/connectors/{id}/preview}) and its limits. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PreviewProperties.class)
class PreviewConfiguration {

    /** None (a null bean) in applications without connectors or the dry run: the ops API then answers 404. */
    @Bean
    ConnectorPreview connectorPreview(ObjectProvider<CamelContext> camel, ObjectProvider<ConnectorRegistry> connectors,
                                      ObjectProvider<DryRun> dryRun, DataSource dataSource, PreviewProperties properties) {
        if (connectors.getIfAvailable() == null || dryRun.getIfAvailable() == null || camel.getIfAvailable() == null) {
            return null;
        }
        return new ConnectorPreview(camel.getObject(), connectors.getObject(), dryRun.getObject(), new JdbcTemplate(dataSource),
                properties);
    }
}
