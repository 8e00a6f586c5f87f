package io.caravan.ops;

import org.apache.camel.CamelContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Caravan's route reload ({@link RouteReloads}) in place of Camel's {@code routes-reload-enabled}:
 * always there for {@code POST /api/reloads}, watching the directory only when
 * {@code caravan.routes.reload.watch} is true (config/application.yaml; off in the prod profile).
 */
@Configuration(proxyBeanMethods = false)
class RouteReloadConfiguration {

    @Bean
    RouteReloads routeReloads(CamelContext camel,
                              @Value("${caravan.routes.reload.watch:false}") boolean watch,
                              @Value("${camel.main.routes-reload-directory:routes}") String directory,
                              @Value("${camel.main.routes-reload-directory-recursive:true}") boolean recursive,
                              @Value("${camel.main.routes-reload-pattern:*.camel.yaml}") String pattern) throws Exception {
        RouteReloads reloads = new RouteReloads(directory, recursive, pattern);
        reloads.setCamelContext(camel);
        if (watch) {
            camel.addService(reloads, true, true);
        }
        return reloads;
    }
}
