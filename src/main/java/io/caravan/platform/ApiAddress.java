package io.caravan.platform;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;

/**
 * Learns the API's address once the web server has started (the actual port, also when it was
 * chosen at random), publishes it as {@code CARAVAN_API_URL} in {@link LocalEnv}, and says once, at
 * INFO when the application is ready, where the API and console listen and where
 * {@code local.env} is. Logs no credentials.
 */
final class ApiAddress {
    private static final Logger LOG = LoggerFactory.getLogger(ApiAddress.class);

    private final LocalEnv localEnv;
    private final Path localEnvFile;
    private final AtomicBoolean announced = new AtomicBoolean();
    private volatile String url;

    /** @param localEnvFile the local.env file to point people to, or null when there is none */
    ApiAddress(LocalEnv localEnv, Path localEnvFile) {
        this.localEnv = localEnv;
        this.localEnvFile = localEnvFile;
    }

    @EventListener
    void onWebServer(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null) {
            return; // a separate management server, not the API
        }
        String contextPath = event.getApplicationContext().getEnvironment().getProperty("server.servlet.context-path", "");
        url = "http://localhost:" + event.getWebServer().getPort() + contextPath;
        localEnv.put("CARAVAN_API_URL", url);
    }

    @EventListener
    void onReady(ApplicationReadyEvent event) {
        if (!announced.compareAndSet(false, true)) {
            return;
        }
        String where = url == null ? "no web server is running" : "ops API and console at " + url + "/";
        if (localEnvFile != null) {
            LOG.info("Caravan is ready: {}; connection settings and generated users in {} (set -a; . {})",
                    where, localEnvFile, localEnvFile);
        } else {
            LOG.info("Caravan is ready: {}", where);
        }
    }

    /** The API's base URL, or null before the web server has started. */
    String url() {
        return url;
    }
}
