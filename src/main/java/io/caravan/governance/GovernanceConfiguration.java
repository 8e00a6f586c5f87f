package io.caravan.governance;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.consent.PurposeRegistry;
import io.caravan.deliver.AgreementRegistry;
import io.caravan.harmonise.RouteAgreementCheck;
import io.caravan.pseudonymise.ArchiveRetention;
import io.caravan.pseudonymise.PolicyRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires the record of processing: its inputs from the loaded registries, the running Camel routes
 * and {@code config/}; its versions in the database (a version at start, once the application is
 * ready, and after every route added or removed later by a live reload, a burst of route events
 * coalesced into one refresh); the ODCS data contracts, also written beside every export.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GovernanceProperties.class)
class GovernanceConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(GovernanceConfiguration.class);

    @Bean
    ProcessingRecords processingRecords(CamelContext camel, PurposeRegistry purposes, ConnectorRegistry connectors,
                                        PolicyRegistry policies, AgreementRegistry agreements,
                                        ObjectProvider<ArchiveRetention> archive, GovernanceProperties properties,
                                        Environment environment, DataSource dataSource) {
        Path config = Path.of(environment.getProperty("caravan.config-dir", "config"));
        Map<String, String> files = new LinkedHashMap<>();
        files.put("purposes", RecordBuilder.display(config.resolve("purposes.yaml")));
        files.put("policies", RecordBuilder.display(policies.file()));
        files.put("agreements", RecordBuilder.display(agreements.file()));
        files.put("partners", RecordBuilder.display(config.resolve("partners.yaml")));
        files.put("consentFeeds", RecordBuilder.display(config.resolve("consent-feeds.yaml")));
        files.put("tcf", RecordBuilder.display(config.resolve("tcf.yaml")));
        files.put("connectors", environment.getProperty("caravan.connectors-dir", "connectors"));
        files.put("routes", environment.getProperty("camel.main.routes-include-pattern", "routes"));
        files.put("retention", "caravan.retention.* (" + RecordBuilder.display(config.resolve("application.yaml")) + ")");
        files.put("contacts", "caravan.governance.* (" + RecordBuilder.display(config.resolve("application.yaml")) + ")");
        var partners = GovernanceFiles.partners(config.resolve("partners.yaml"));
        var feeds = GovernanceFiles.feeds(config.resolve("consent-feeds.yaml"));
        var tcf = GovernanceFiles.tcf(config.resolve("tcf.yaml"));
        Map<String, String> retention = Binder.get(environment)
                .bind("caravan.retention.tables", Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        ArchiveRetention kept = archive.getIfAvailable();
        String archiveMaxAge = kept == null ? null : kept.maxAge();
        Map<String, String> archivePartners = kept == null || kept.partners() == null ? Map.of() : kept.partners();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        return new ProcessingRecords(() -> new RecordInputs(purposes, connectors, policies, agreements, routes(camel),
                partners, feeds, tcf, retention, archiveMaxAge, archivePartners, properties.controllerContact(),
                properties.dpoContact(), files), new RecordVersions(jdbc, transactions), Clock.systemUTC());
    }

    @Bean
    DataContracts dataContracts(AgreementRegistry agreements, PolicyRegistry policies, PurposeRegistry purposes,
                                ConnectorRegistry connectors, GovernanceProperties properties, Environment environment) {
        Map<String, String> retention = Binder.get(environment)
                .bind("caravan.retention.tables", Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        return new DataContracts(agreements, policies, purposes, connectors, retention, properties::controllerContact,
                properties::dpoContact);
    }

    /** The route definitions of the context as they are now. */
    static List<RecordInputs.RouteInfo> routes(CamelContext camel) {
        List<RecordInputs.RouteInfo> routes = new ArrayList<>();
        if (!(camel instanceof ModelCamelContext model)) {
            return routes;
        }
        for (RouteDefinition route : model.getRouteDefinitions()) {
            String from = route.getInput() == null ? null : route.getInput().getEndpointUri();
            routes.add(new RecordInputs.RouteInfo(route.getRouteId(), file(route), from, RouteAgreementCheck.toUris(route)));
        }
        routes.sort(java.util.Comparator.comparing(RecordInputs.RouteInfo::id, java.util.Comparator.nullsFirst(String::compareTo)));
        return routes;
    }

    private static String file(RouteDefinition route) {
        if (route.getResource() == null || route.getResource().getLocation() == null) {
            return null;
        }
        String location = route.getResource().getLocation();
        int colon = location.indexOf(':');
        String path = colon > 1 && location.substring(0, colon).matches("[a-z]+") ? location.substring(colon + 1) : location;
        return RecordBuilder.display(Path.of(path));
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService processingRecordRefresher() {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "caravan-processing-record");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Stores a version once the application is ready (Camel has started every route), and from then on
     * after every route added or removed (a live reload), a burst coalesced half a second later. The
     * route notifier is registered with the running context here, so start-up's own routes are not
     * mistaken for a reload.
     */
    @Bean
    ApplicationListener<ApplicationReadyEvent> processingRecordAtStart(ProcessingRecords records, CamelContext camel,
                                                                       ScheduledExecutorService processingRecordRefresher,
                                                                       AgreementRegistry agreements, Environment environment) {
        Path config = Path.of(environment.getProperty("caravan.config-dir", "config"));
        return event -> {
            RecordRefresher notifier = new RecordRefresher(files -> refresh(records, "reload: " + String.join(", ", files)),
                    processingRecordRefresher);
            camel.getCamelContextExtension().setEventNotificationApplicable(true);
            camel.getManagementStrategy().addEventNotifier(notifier);
            ServiceHelper.startService(notifier);
            processingRecordRefresher.execute(() -> {
                GovernanceChecks.recipientCountries(config, agreements).forEach(w -> LOG.warn("record of processing: {}", w));
                try {
                    records.current().warnings().stream().distinct().forEach(w -> LOG.warn("record of processing: {}", w));
                } catch (RuntimeException e) {
                    LOG.warn("record of processing: not generated ({})", e.getClass().getSimpleName());
                }
                refresh(records, "start");
            });
        };
    }

    /** Camel route events after start, coalesced into one refresh per burst (one reload adds several routes). */
    static final class RecordRefresher extends EventNotifierSupport {
        private final java.util.function.Consumer<List<String>> refresh;
        private final ScheduledExecutorService executor;
        private final AtomicBoolean pending = new AtomicBoolean();
        private final Map<String, String> changedFiles = new java.util.concurrent.ConcurrentSkipListMap<>();

        RecordRefresher(java.util.function.Consumer<List<String>> refresh, ScheduledExecutorService executor) {
            this.refresh = refresh;
            this.executor = executor;
        }

        @Override
        public void notify(CamelEvent event) {
            if (!(event instanceof CamelEvent.RouteEvent routeEvent)) {
                return;
            }
            String location = routeEvent.getRoute().getSourceLocationShort();
            changedFiles.put(location == null ? routeEvent.getRoute().getRouteId() : location.replaceFirst(":\\d+$", ""), "");
            if (pending.compareAndSet(false, true)) {
                executor.schedule(() -> {
                    pending.set(false);
                    List<String> files = new ArrayList<>(changedFiles.keySet());
                    files.forEach(changedFiles::remove);
                    refresh.accept(files);
                }, 500, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public boolean isEnabled(CamelEvent event) {
            return event instanceof CamelEvent.RouteAddedEvent || event instanceof CamelEvent.RouteRemovedEvent;
        }
    }

    private static void refresh(ProcessingRecords records, String cause) {
        try {
            records.refresh(cause);
        } catch (RuntimeException e) {
            LOG.warn("record of processing: version not stored ({}): {}", cause, e.getClass().getSimpleName());
        }
    }
}
