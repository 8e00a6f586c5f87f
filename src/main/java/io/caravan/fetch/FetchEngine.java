package io.caravan.fetch;

import io.caravan.connector.ConnectorDescriptor;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Opens API sync runs: resolves the connector's {@code source:} block against the configuration
 * (so the embedded default's placeholders point at the sandbox and production's at the partner),
 * and gives the {@link ApiPageSource} that fetches its pages through {@link GuardedHttp}. OAuth2
 * tokens are cached per connector between runs. The JDK HTTP client never follows redirects by
 * itself (each hop is checked here).
 *
 * <p>Thread-safe.
 */
@Component
class FetchEngine {
    private final HttpClient client;
    private final UnaryOperator<String> config;
    private final HostGuard.Resolver resolver;
    private final GuardedHttp.Sleeper sleeper;
    private final Clock clock;
    private final Map<String, OAuth2Tokens> tokens = new ConcurrentHashMap<>();
    private final Map<String, TlsClient> tlsClients = new ConcurrentHashMap<>();

    /** A connector's mutual-TLS client, kept while its certificate settings and files stay the same. */
    private record TlsClient(SourceSpec.Tls tls, List<Object> stamps, HttpClient client) {
    }

    @Autowired
    FetchEngine(Environment environment) {
        this(key -> {
            try {
                return environment.getProperty(key);
            } catch (IllegalArgumentException unresolvable) {
                return null; // e.g. ${AUTOBOERSE_API_URL} not set: reported as "configuration property ... is not set"
            }
        }, InetAddress::getAllByName, d -> Thread.sleep(d.toMillis()), Clock.systemUTC());
    }

    FetchEngine(UnaryOperator<String> config, HostGuard.Resolver resolver, GuardedHttp.Sleeper sleeper, Clock clock) {
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.config = config;
        this.resolver = resolver;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    /** The connector's source block, resolved now (a missing property is a configuration error). */
    public SourceSpec spec(ConnectorDescriptor connector) {
        return SourceSpec.parse(connector.id(), connector.file() == null ? connector.id() : connector.file().toString(),
                connector.source(), config, connector.fields().values().stream().map(f -> f.column())
                        .filter(Objects::nonNull).toList());
    }

    /** One run's pages, starting after {@code watermark} (null: from the connector's initial value). */
    ApiPageSource open(ConnectorDescriptor connector, String watermark) {
        SourceSpec spec = spec(connector);
        OAuth2Tokens cache = null;
        if (spec.auth().enabled()) {
            cache = tokens.compute(connector.id(), (id, old) ->
                    old != null && Objects.equals(old.auth(), spec.auth()) ? old : new OAuth2Tokens(id, spec.auth(), clock));
        }
        GuardedHttp http = new GuardedHttp(spec, new HostGuard(spec, resolver), client(spec), cache, sleeper, clock,
                spec.dialect());
        return new ApiPageSource(spec, http, watermark, clock.instant());
    }

    /** The shared client, or the connector's own one when it presents a client certificate. */
    private HttpClient client(SourceSpec spec) {
        if (spec.tls() == null) {
            return client;
        }
        List<Object> stamps = stamps(spec.tls());
        return tlsClients.compute(spec.connectorId(), (id, old) -> old != null && old.tls().equals(spec.tls())
                && old.stamps().equals(stamps) ? old : new TlsClient(spec.tls(), stamps,
                HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10))
                        .sslContext(ClientTls.context(id, spec.tls())).build())).client();
    }

    /** When the certificate files last changed (a renewed certificate is picked up by the next run). */
    private static List<Object> stamps(SourceSpec.Tls tls) {
        List<Object> stamps = new java.util.ArrayList<>();
        for (java.nio.file.Path file : java.util.Arrays.asList(tls.certificate(), tls.key(), tls.serverCa())) {
            try {
                stamps.add(file == null ? "-" : java.nio.file.Files.getLastModifiedTime(file));
            } catch (java.io.IOException e) {
                stamps.add("unreadable");
            }
        }
        return stamps;
    }

    /** Tokens obtained so far for a connector (0 when none). */
    int tokenRequests(String connectorId) {
        OAuth2Tokens t = tokens.get(connectorId);
        return t == null ? 0 : t.requests();
    }
}
