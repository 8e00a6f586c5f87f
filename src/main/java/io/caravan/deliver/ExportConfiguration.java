package io.caravan.deliver;

import io.caravan.consent.PurposeRegistry;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.PolicyRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires exports under sharing agreements: the {@link AgreementRegistry} from
 * {@code ${caravan.config-dir}/agreements.yaml} (validated against the migrated warehouse at
 * start-up; no file means no agreements), the {@link Exporter}, and one Camel route per scheduled
 * agreement, {@code export-<id>}, fired by {@code quartz:} with the agreement's cron expression
 * (from the file, never from Java). Files for remote transports are staged under
 * {@code ${caravan.data-dir}/exports/staging}. The smallest audience each ad platform receives
 * from an activation agreement is {@code caravan.activation.minimum-audience.<platform>}
 * (default {@link AgreementRegistry#DEFAULT_MINIMUM_AUDIENCE}).
 */
@Configuration(proxyBeanMethods = false)
class ExportConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(ExportConfiguration.class);

    @Bean
    @DependsOnDatabaseInitialization
    AgreementRegistry agreementRegistry(Environment environment, PolicyRegistry policies, PurposeRegistry purposes,
                                        DataSource dataSource) {
        Path file = Path.of(environment.getProperty("caravan.config-dir", "config"), "agreements.yaml");
        if (!Files.exists(file)) {
            LOG.info("no sharing agreements: {} does not exist", file);
            return AgreementRegistry.none(file);
        }
        java.util.Map<String, Integer> minimumAudiences = org.springframework.boot.context.properties.bind.Binder
                .get(environment).bind("caravan.activation.minimum-audience",
                        org.springframework.boot.context.properties.bind.Bindable.mapOf(String.class, Integer.class))
                .orElse(java.util.Map.of());
        return AgreementRegistry.load(file, policies, purposes, new WarehouseColumns(dataSource),
                environment::resolveRequiredPlaceholders, minimumAudiences);
    }

    @Bean(destroyMethod = "shutdown")
    ExecutorService exportExecutor() {
        return Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "caravan-export");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Bean
    Exporter exporter(AgreementRegistry agreements, PolicyRegistry policies, PurposeRegistry purposes, KeyRing keys,
                      DataSource dataSource, CamelContext camel, ExecutorService exportExecutor,
                      ObjectProvider<ExportAttachment> attachments,
                      @Value("${caravan.sftp.root:${caravan.data-dir:data}/sftp}") Path sftpRoot,
                      @Value("${caravan.data-dir:data}") Path dataDir, io.caravan.audit.AuditTrail audit) {
        return new Exporter(agreements, policies, purposes, keys, dataSource, new WarehouseColumns(dataSource),
                sftpRoot, dataDir.resolve("exports/staging"), camel, exportExecutor, Clock.systemUTC(), audit,
                attachments.orderedStream().toList());
    }

    @Bean
    RouteBuilder exportSchedules(AgreementRegistry agreements, Exporter exporter) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                List<Agreement> scheduled = agreements.all().stream().filter(a -> a.schedule() != null).toList();
                for (Agreement agreement : scheduled) {
                    String id = agreement.id();
                    from("quartz:caravan-exports/" + id + "?stateful=true&cron=RAW(" + agreement.schedule() + ")")
                            .routeId("export-" + id)
                            .routeDescription("Export under sharing agreement " + id + " to " + agreement.partner())
                            .process(exchange -> exporter.run(id));
                }
            }
        };
    }
}
