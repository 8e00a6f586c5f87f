package io.caravan.schedule;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.component.quartz.QuartzComponent;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Camel's {@code quartz} component with the Quartz properties of {@code camel.component.quartz.properties}
 * (the clustered JDBC job store of the {@code prod} profile). camel-quartz-starter used to bind them; its
 * 4.22.0 release is not served where Caravan builds from, so the component is declared here, under the name
 * every {@code quartz:} endpoint resolves. Without properties it is Quartz's in-memory default.
 */
@Configuration(proxyBeanMethods = false)
class QuartzConfiguration {
    static final String PROPERTIES = "camel.component.quartz.properties";

    @Bean("quartz")
    QuartzComponent quartz(Environment environment) {
        QuartzComponent quartz = new QuartzComponent();
        Map<String, String> properties = Binder.get(environment)
                .bind(PROPERTIES, Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        if (!properties.isEmpty()) {
            quartz.setProperties(new LinkedHashMap<>(properties));
        }
        return quartz;
    }
}
