package io.caravan.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the {@link PartnerApiSandbox} when {@code caravan.sandbox.enabled=true} (set by
 * {@code config/application.yaml}, the embedded default; never in production). It publishes
 * {@code caravan.sandbox.url} and the credentials generated for this run
 * ({@code caravan.sandbox.client-secret}, {@code refresh-token}, {@code developer-token},
 * {@code meta-token}, {@code meta-app-secret}; never logged) as configuration, which the embedded
 * default's {@code caravan.partners.*} settings refer to. When samples are seeded
 * ({@code caravan.samples.seed=true}), the API routes named in {@code caravan.sandbox.run-on-start}
 * run once when the application is ready, as their schedule would, so a new user sees their
 * tables filled at once.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "caravan.sandbox.enabled", havingValue = "true")
class SandboxConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxConfiguration.class);

    @Bean(destroyMethod = "close")
    PartnerApiSandbox partnerApiSandbox(ConfigurableEnvironment environment,
                                        @Value("${caravan.samples.dir:samples}") Path samples,
                                        @Value("${caravan.sandbox.port:0}") int port,
                                        @Value("${caravan.sandbox.client-id:caravan-demo}") String clientId,
                                        @Value("${caravan.sandbox.token-ttl:PT5M}") Duration tokenTtl,
                                        @Value("${caravan.sandbox.throttle-every:4}") int throttleEvery) throws IOException {
        String secret = random();
        PartnerApiSandbox.Credentials credentials = new PartnerApiSandbox.Credentials("1//sbx-" + random(), random(),
                "EAAsbx" + random(), random());
        PartnerApiSandbox sandbox = new PartnerApiSandbox(samples.resolve("api"), port, clientId, secret, credentials, tokenTtl,
                throttleEvery, Clock.systemUTC());
        environment.getPropertySources().addFirst(new MapPropertySource("caravan-sandbox",
                Map.of("caravan.sandbox.url", sandbox.url(), "caravan.sandbox.client-secret", secret,
                        "caravan.sandbox.refresh-token", credentials.refreshToken(),
                        "caravan.sandbox.developer-token", credentials.developerToken(),
                        "caravan.sandbox.meta-token", credentials.metaToken(),
                        "caravan.sandbox.meta-app-secret", credentials.metaAppSecret())));
        LOG.info("Partner API sandbox (embedded default only) listens on {}", sandbox.url());
        return sandbox;
    }

    private static String random() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    @Bean
    SandboxSyncs sandboxSyncs(CamelContext camel, PartnerApiSandbox sandbox,
                              @Value("${caravan.samples.seed:false}") boolean seed,
                              @Value("${caravan.sandbox.run-on-start:}") List<String> routes) {
        return new SandboxSyncs(camel, seed ? routes : List.of());
    }

    /** Runs the API routes once on start, one after the other, on a thread of its own. */
    static final class SandboxSyncs {
        private final CamelContext camel;
        private final List<String> routes;

        SandboxSyncs(CamelContext camel, List<String> routes) {
            this.camel = camel;
            this.routes = routes;
        }

        @EventListener(ApplicationReadyEvent.class)
        void runOnce() {
            if (routes.isEmpty()) {
                return;
            }
            Thread thread = new Thread(() -> routes.forEach(this::run), "caravan-sandbox-syncs");
            thread.setDaemon(true);
            thread.start();
        }

        private void run(String routeId) {
            Route route = camel.getRoute(routeId);
            if (route == null) {
                LOG.warn("sandbox: no route {} to run on start", routeId);
                return;
            }
            Consumer consumer = route.getConsumer();
            Exchange exchange = consumer.createExchange(false);
            try {
                consumer.getProcessor().process(exchange);
            } catch (Exception e) {
                LOG.warn("sandbox: first run of {} failed with {}", routeId, e.getClass().getSimpleName());
            } finally {
                consumer.releaseExchange(exchange, false);
            }
        }
    }
}
