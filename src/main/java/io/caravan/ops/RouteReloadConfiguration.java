package io.caravan.ops;

import io.caravan.audit.AuditTrail;
import javax.sql.DataSource;
import io.caravan.connector.ConnectorRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Caravan's reloads in place of Camel's {@code routes-reload-enabled}: route files ({@link RouteReloads}),
 * connector descriptors and configuration files ({@link ConfigReloads}), every attempt recorded in
 * {@link ReloadAttempts}. Always there for {@code POST /api/reloads}; watching the files only when
 * {@code caravan.routes.reload.watch} is true (config/application.yaml; off in the prod profile).
 */
@Configuration(proxyBeanMethods = false)
class RouteReloadConfiguration {

    @Bean
    ReloadAttempts reloadAttempts(DataSource dataSource, AuditTrail audit) {
        return new ReloadAttempts(dataSource, audit);
    }

    @Bean
    RouteReloads routeReloads(CamelContext camel, ReloadAttempts attempts,
                              @Value("${caravan.routes.reload.watch:false}") boolean watch,
                              @Value("${camel.main.routes-reload-directory:routes}") String directory,
                              @Value("${camel.main.routes-reload-directory-recursive:true}") boolean recursive,
                              @Value("${camel.main.routes-reload-pattern:*.camel.yaml}") String pattern) throws Exception {
        RouteReloads reloads = new RouteReloads(directory, recursive, pattern, attempts);
        reloads.setCamelContext(camel);
        if (watch) {
            camel.addService(reloads, true, true);
        }
        return reloads;
    }

    @Bean
    ConfigReloads configReloads(CamelContext camel, ConnectorRegistry connectors, ReloadAttempts attempts,
                                DataSource dataSource, Environment environment,
                                @Value("${caravan.routes.reload.watch:false}") boolean watch,
                                @Value("${caravan.config-dir:config}") Path configDir) throws Exception {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        ConfigReloads reloads = new ConfigReloads(camel, connectors, attempts, configDir,
                table -> jdbc.queryForList("SELECT column_name FROM information_schema.columns WHERE table_schema = 'caravan' "
                        + "AND table_name = ? ORDER BY ordinal_position", String.class, table),
                environment::resolveRequiredPlaceholders);
        if (watch) {
            watchFiles(camel, reloads, connectors.directory(), true);
            watchFiles(camel, reloads, configDir, false);
        }
        return reloads;
    }

    /** Camel's file watcher on a directory, handing each changed file that {@link ConfigReloads} handles to it. */
    private static void watchFiles(CamelContext camel, ConfigReloads reloads, Path directory, boolean recursive) throws Exception {
        if (!Files.isDirectory(directory)) {
            return;
        }
        FileWatcherResourceReloadStrategy watcher = new FileWatcherResourceReloadStrategy(directory.toString(), recursive);
        watcher.setFileFilter(f -> f.getName().endsWith(".yaml") || f.getName().endsWith(".yml"));
        watcher.setResourceReload((name, resource) -> {
            String location = resource.getLocation();
            Path file = Path.of(location.startsWith("file:") ? location.substring(5) : location);
            if (reloads.handles(file)) {
                reloads.reload(file, ReloadAttempts.WATCHER);
            }
        });
        watcher.setCamelContext(camel);
        camel.addService(watcher, true, true);
    }
}
