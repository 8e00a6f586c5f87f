package io.caravan.schedule;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import org.apache.camel.spi.PropertiesSource;
import org.springframework.stereotype.Component;

/**
 * Makes descriptor values available to routes as Camel property placeholders, so a schedule lives
 * in YAML, never in Java: {@code {{connector.<id>.schedule}}} is the Quartz cron of the connector's
 * {@code schedule:}. Camel discovers this source in the registry. Thread-safe; holds no secrets.
 */
@Component
class ConnectorProperties implements PropertiesSource {
    private static final String PREFIX = "connector.";
    private static final String SCHEDULE = ".schedule";

    private final ConnectorRegistry connectors;

    ConnectorProperties(ConnectorRegistry connectors) {
        this.connectors = connectors;
    }

    @Override
    public String getName() {
        return "caravan-connectors";
    }

    @Override
    public String getProperty(String name) {
        if (name == null || !name.startsWith(PREFIX) || !name.endsWith(SCHEDULE)) {
            return null;
        }
        String id = name.substring(PREFIX.length(), name.length() - SCHEDULE.length());
        return connectors.find(id).map(ConnectorDescriptor::schedule).orElse(null);
    }
}
