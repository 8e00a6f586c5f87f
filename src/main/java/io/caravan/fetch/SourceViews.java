package io.caravan.fetch;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.error.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * An API connector's {@code source:} block as the operations API shows it: resolved against the
 * configuration (so an operator sees which base URL, token URL, paging, headers and certificate
 * files a sync would use), with every secret masked — client secrets, refresh tokens, static
 * tokens, API keys, secret headers show only {@code "[secret: set]"}; the private key file of
 * mutual TLS is named by path only. When the block does not resolve, the view lists the problems
 * (configuration keys and descriptor paths, never values).
 *
 * <p>Stateless, thread-safe.
 */
@Component
public final class SourceViews {
    static final String MASK = "[secret: set]";

    private final FetchEngine engine;

    SourceViews(FetchEngine engine) {
        this.engine = engine;
    }

    /** The view of {@code connector}'s source block (the connector must have one). */
    public Map<String, Object> view(ConnectorDescriptor connector) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("connectorId", connector.id());
        SourceSpec spec;
        try {
            spec = engine.spec(connector);
        } catch (ConfigException e) {
            view.put("problems", e.problems());
            return view;
        }
        return of(spec);
    }

    static Map<String, Object> of(SourceSpec spec) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("connectorId", spec.connectorId());
        view.put("url", spec.displayUrl());
        view.put("method", spec.method());
        view.put("query", spec.query());
        view.put("paging", spec.paging().style());
        SourceSpec.Auth a = spec.auth();
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("type", a.type());
        putIf(auth, "tokenUrl", a.tokenUrl() == null ? null : a.tokenUrl().toString());
        putIf(auth, "clientId", a.clientId());
        putIf(auth, "clientSecret", a.clientSecret() == null ? null : MASK);
        putIf(auth, "scope", a.scope());
        putIf(auth, "refreshToken", a.refreshToken() == null ? null : MASK);
        putIf(auth, "keyFile", a.keyFile() == null ? null : a.keyFile().toString());
        putIf(auth, "subject", a.subject());
        putIf(auth, "token", a.token() == null ? null : MASK);
        putIf(auth, "keyName", a.keyName());
        putIf(auth, "in", a.keyIn());
        putIf(auth, "key", a.key() == null ? null : MASK);
        view.put("auth", auth);
        Map<String, String> headers = new LinkedHashMap<>();
        spec.headers().forEach((name, h) -> headers.put(name, h.secret() ? MASK : h.value()));
        view.put("headers", headers);
        if (spec.tls() != null) {
            Map<String, Object> tls = new LinkedHashMap<>();
            tls.put("certificate", spec.tls().certificate().toString());
            tls.put("key", spec.tls().key().toString());
            putIf(tls, "serverCa", spec.tls().serverCa() == null ? null : spec.tls().serverCa().toString());
            view.put("tls", tls);
        }
        view.put("allowedHosts", spec.allowedHosts());
        view.put("maxResponseBytes", spec.limits().maxResponseBytes());
        view.put("retryBudget", spec.retry().budget().toString());
        return view;
    }

    private static void putIf(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
