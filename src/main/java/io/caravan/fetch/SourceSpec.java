package io.caravan.fetch;

import io.caravan.error.ConfigException;
import tools.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code source:} block of an API connector descriptor, with its configuration placeholders
 * ({@code {{caravan.partners.x.base-url}}}) resolved. See {@code connector.schema.json} for each
 * option. Immutable; {@link #toString()} never prints the client secret.
 *
 * @param query   request parameters; values may use {@code ${watermark}}, {@code ${window.from}}, {@code ${window.to}}
 * @param body    request body for {@code POST} (same variables), or null
 * @param allowedHosts host names (exact, or {@code *.suffix}) besides those of the base and token URLs
 */
record SourceSpec(String connectorId, URI baseUrl, String path, String method, Map<String, String> query,
                         String body, String contentType, Paging paging, Auth auth, Incremental incremental,
                         Window window, List<String> allowedHosts, Retry retry, Duration timeout,
                         Map<String, Header> headers, Tls tls, Limits limits, GoogleAdsQuery googleAds, Meta meta) {

    private static final Pattern CONFIG = Pattern.compile("\\{\\{([^}:]+)(?::([^}]*))?}}");

    public SourceSpec {
        Objects.requireNonNull(baseUrl, "baseUrl");
        query = Map.copyOf(query);
        allowedHosts = List.copyOf(allowedHosts);
        headers = Map.copyOf(headers);
        Objects.requireNonNull(limits, "limits");
    }

    /** The kinds of {@code auth.type}. */
    static final List<String> AUTH_TYPES = List.of("none", "oauth2-client-credentials", "oauth2-refresh-token",
            "oauth2-jwt-bearer", "bearer", "api-key", "mtls");

    /** A credential's value; {@link #toString()} never prints it. */
    record Secret(String value) {
        Secret {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "[secret]";
        }
    }

    /** An extra request header; a secret one is masked wherever the spec is shown. */
    record Header(String value, boolean secret) {
        @Override
        public String toString() {
            return secret ? "[secret]" : value;
        }
    }

    /**
     * Client certificate and key (PEM files) for mutual TLS, and optionally the one CA (PEM) the
     * server's certificate must chain to instead of the JDK's trust store.
     */
    record Tls(java.nio.file.Path certificate, java.nio.file.Path key, java.nio.file.Path serverCa) {
    }

    /**
     * Meta Marketing API settings: the app secret for {@code appsecret_proof} (none when empty), and
     * when to use the asynchronous report run — for windows longer than {@code asyncAfterDays} —
     * polled with back-off from {@code pollInitial} doubling up to {@code pollMax}, for at most
     * {@code pollBudget}.
     */
    record Meta(Secret appSecret, int asyncAfterDays, Duration pollInitial, Duration pollMax, Duration pollBudget) {
        /** Whether a window of {@code days} days is read by an asynchronous report run. */
        boolean async(Window window) {
            return window != null && window.days() > asyncAfterDays;
        }
    }

    /** Refusal limits of one answer. */
    record Limits(long maxResponseBytes) {
        static final long DEFAULT_MAX_RESPONSE_BYTES = 256L * 1024 * 1024;
    }

    /** {@code style}: none, page, cursor, link-next or stream. */
    public record Paging(String style, String pageParam, int firstPage, String sizeParam, Integer size,
                         String cursorParam, String cursorPath, String nextPath, int maxPages) {
    }

    /**
     * How requests are authenticated ({@code type} one of {@link #AUTH_TYPES}). OAuth2 kinds obtain
     * a bearer token from {@code tokenUrl}: client credentials ({@code clientId}, {@code clientSecret},
     * {@code scope}), refresh token (also {@code refreshToken}) or JWT bearer (a service-account key
     * file {@code keyFile}, {@code scope}, optional {@code subject}); {@code bearer} sends a static
     * {@code token}; {@code api-key} sends {@code key} as header or query parameter {@code keyName};
     * {@code mtls} authenticates by the client certificate of {@code source.tls} alone.
     */
    public record Auth(String type, URI tokenUrl, String clientId, Secret clientSecret, String scope,
                       Secret refreshToken, java.nio.file.Path keyFile, String subject, Secret token,
                       String keyName, String keyIn, Secret key) {
        static Auth none() {
            return new Auth("none", null, null, null, null, null, null, null, null, null, null, null);
        }

        /** True for the kinds that obtain tokens from a token endpoint. */
        boolean enabled() {
            return type.startsWith("oauth2-");
        }

        @Override
        public String toString() {
            return "Auth[" + type + ", tokenUrl=" + (tokenUrl == null ? null : tokenUrl.getHost()) + "]";
        }
    }

    /** Incremental sync: the record field (dotted path) whose greatest value becomes the watermark. */
    public record Incremental(String field, String initial) {
    }

    /** Report window: from {@code days} days before today to today, in {@code zone}. */
    public record Window(int days, ZoneId zone) {
    }

    /** Retries of 429 and 5xx answers and connection failures. */
    public record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration budget) {
    }

    /**
     * Reads the block; {@code config} resolves a placeholder key to its value (null when unset).
     *
     * @throws ConfigException naming the connector file and path when something is missing
     */
    public static SourceSpec parse(String connectorId, String file, JsonNode node, UnaryOperator<String> config) {
        return parse(connectorId, file, node, config, List.of());
    }

    /** The platform dialect of this source's answers. */
    Dialect dialect() {
        if (meta != null) {
            return new MetaGraph(meta.appSecret());
        }
        return googleAds != null ? GoogleAdsErrors.INSTANCE : Dialect.HTTP;
    }

    /**
     * As {@link #parse(String, String, JsonNode, UnaryOperator)}; {@code columns} are the source
     * columns the descriptor's fields read (a Google Ads source selects them).
     */
    public static SourceSpec parse(String connectorId, String file, JsonNode node, UnaryOperator<String> config,
                                   List<String> columns) {
        List<String> problems = new ArrayList<>();
        if (node == null || node.isMissingNode() || !node.isObject()) {
            throw new ConfigException(ConfigException.Code.INVALID, file + ": $.source: an API connector needs a source block");
        }
        URI base = uri(text(node, "baseUrl", null, config, problems), file, "$.source.baseUrl", problems);
        JsonNode p = node.path("paging");
        Paging paging = new Paging(p.path("style").asText("none"), p.path("pageParam").asText("page"),
                p.path("firstPage").asInt(1), p.hasNonNull("sizeParam") ? p.get("sizeParam").asString() : null,
                p.hasNonNull("size") ? p.get("size").asInt() : null, p.path("cursorParam").asText("cursor"),
                p.hasNonNull("cursorPath") ? p.get("cursorPath").asString() : null,
                p.hasNonNull("nextPath") ? p.get("nextPath").asString() : null, p.path("maxPages").asInt(10_000));
        if (paging.style().equals("cursor") && paging.cursorPath() == null) {
            problems.add("$.source.paging.cursorPath: cursor paging needs the path of the next cursor");
        }
        if (paging.style().equals("link-next") && paging.nextPath() == null) {
            problems.add("$.source.paging.nextPath: link-next paging needs the path of the next link");
        }
        Auth auth = auth(node.path("auth"), file, config, problems);
        Map<String, Header> headers = new LinkedHashMap<>();
        node.path("headers").properties().forEach(e -> {
            String where = "$.source.headers." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                headers.put(e.getKey(), new Header(text(v, "secret", where + ".secret", config, problems), true));
            } else {
                headers.put(e.getKey(), new Header(resolve(v.asString(), config, problems, file, where), false));
            }
        });
        JsonNode t = node.path("tls");
        Tls tls = null;
        if (t.isObject()) {
            tls = new Tls(path(text(t, "certificate", "$.source.tls.certificate", config, problems)),
                    path(text(t, "key", "$.source.tls.key", config, problems)),
                    t.hasNonNull("serverCa") ? path(text(t, "serverCa", "$.source.tls.serverCa", config, problems)) : null);
        } else if (auth.type().equals("mtls")) {
            problems.add("$.source.tls: mtls authentication needs the client certificate and key (source.tls)");
        }
        Limits limits = new Limits(node.path("limits").path("maxResponseBytes").asLong(Limits.DEFAULT_MAX_RESPONSE_BYTES));
        Map<String, String> query = new LinkedHashMap<>();
        node.path("query").properties().forEach(e ->
                query.put(e.getKey(), resolve(e.getValue().asString(), config, problems, file, "$.source.query." + e.getKey())));
        JsonNode inc = node.path("incremental");
        Incremental incremental = inc.hasNonNull("field")
                ? new Incremental(inc.get("field").asString(), inc.hasNonNull("initial") ? inc.get("initial").asString() : null) : null;
        JsonNode w = node.path("window");
        Window window = w.hasNonNull("days") ? new Window(w.get("days").asInt(), ZoneId.of(w.path("zone").asText("UTC"))) : null;
        List<String> hosts = new ArrayList<>();
        node.path("allowedHosts").forEach(h -> hosts.add(resolve(h.asString(), config, problems, file, "$.source.allowedHosts")));
        JsonNode r = node.path("retry");
        Retry retry = new Retry(r.path("maxAttempts").asInt(5), duration(r, "initialBackoff", "PT1S"),
                duration(r, "maxBackoff", "PT30S"), duration(r, "budget", "PT2M"));
        if (!problems.isEmpty()) {
            throw new ConfigException(ConfigException.Code.INVALID, "connector descriptors", problems.stream().map(x -> file + ": " + x).toList());
        }
        String body = node.hasNonNull("body") ? resolve(node.get("body").asString(), config, problems, file, "$.source.body") : null;
        String path = resolve(node.path("path").asText(""), config, problems, file, "$.source.path");
        GoogleAdsQuery googleAds = null;
        JsonNode g = node.path("googleAds");
        if (g.isObject()) {
            List<String> where = new ArrayList<>();
            g.path("where").forEach(c -> where.add(c.asString()));
            googleAds = new GoogleAdsQuery(g.path("version").asText("v26"),
                    resolve(g.path("customerId").asText(""), config, problems, file, "$.source.googleAds.customerId"),
                    g.path("resource").asText("campaign"), g.path("dateSegment").asText("segments.date"),
                    columns.stream().filter(c -> c != null && !c.isBlank()).toList(), where);
            if (problems.isEmpty()) {
                problems.addAll(googleAds.problems());
            }
            if (window == null) {
                problems.add("$.source.window.days: a Google Ads report needs its restatement window");
            }
            path = googleAds.path();
            body = googleAds.body();
            paging = new Paging("stream", paging.pageParam(), paging.firstPage(), null, null, paging.cursorParam(), null, null, 1);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(ConfigException.Code.INVALID, "connector descriptors", problems.stream().map(x -> file + ": " + x).toList());
        }
        Meta meta = null;
        JsonNode m = node.path("meta");
        if (m.isObject()) {
            String secret = m.hasNonNull("appSecret")
                    ? resolve(m.get("appSecret").asString(), config, problems, file, "$.source.meta.appSecret") : "";
            meta = new Meta(secret.isEmpty() ? null : new Secret(secret), m.path("asyncAfterDays").asInt(7),
                    duration(m, "pollInitial", "PT2S"), duration(m, "pollMax", "PT30S"), duration(m, "pollBudget", "PT10M"));
            if (!problems.isEmpty()) {
                throw new ConfigException(ConfigException.Code.INVALID, "connector descriptors", problems.stream().map(x -> file + ": " + x).toList());
            }
        }
        return new SourceSpec(connectorId, base, path, node.path("method").asText(body == null ? "GET" : "POST"),
                query, body, node.path("contentType").asText("application/json"), paging, auth, incremental, window, hosts,
                retry, duration(node, "timeout", "PT60S"), headers, tls, limits, googleAds, meta);
    }

    private static Auth auth(JsonNode a, String file, UnaryOperator<String> config, List<String> problems) {
        String type = a.path("type").asText("none");
        if (!AUTH_TYPES.contains(type)) {
            problems.add("$.source.auth.type: unknown kind '" + type + "', valid: " + String.join(", ", AUTH_TYPES));
            return Auth.none();
        }
        String p = "$.source.auth.";
        return switch (type) {
            case "oauth2-client-credentials" -> new Auth(type, tokenUrl(a, file, config, problems),
                    text(a, "clientId", p + "clientId", config, problems), secret(a, "clientSecret", config, problems),
                    optional(a, "scope", file, config, problems), null, null, null, null, null, null, null);
            case "oauth2-refresh-token" -> new Auth(type, tokenUrl(a, file, config, problems),
                    text(a, "clientId", p + "clientId", config, problems), secret(a, "clientSecret", config, problems),
                    null, secret(a, "refreshToken", config, problems), null, null, null, null, null, null);
            case "oauth2-jwt-bearer" -> new Auth(type, tokenUrl(a, file, config, problems), null, null,
                    text(a, "scope", p + "scope", config, problems), null,
                    path(text(a, "keyFile", p + "keyFile", config, problems)),
                    optional(a, "subject", file, config, problems), null, null, null, null);
            case "bearer" -> new Auth(type, null, null, null, null, null, null, null, secret(a, "token", config, problems),
                    null, null, null);
            case "api-key" -> {
                String in = a.path("in").asText("header");
                if (!in.equals("header") && !in.equals("query")) {
                    problems.add(p + "in: must be header or query");
                }
                yield new Auth(type, null, null, null, null, null, null, null, null,
                        text(a, "keyName", p + "keyName", config, problems), in, secret(a, "key", config, problems));
            }
            default -> new Auth(type, null, null, null, null, null, null, null, null, null, null, null);
        };
    }

    private static URI tokenUrl(JsonNode a, String file, UnaryOperator<String> config, List<String> problems) {
        return uri(text(a, "tokenUrl", "$.source.auth.tokenUrl", config, problems), file, "$.source.auth.tokenUrl", problems);
    }

    private static Secret secret(JsonNode a, String name, UnaryOperator<String> config, List<String> problems) {
        String value = text(a, name, "$.source.auth." + name, config, problems);
        return value == null ? null : new Secret(value);
    }

    private static String optional(JsonNode a, String name, String file, UnaryOperator<String> config, List<String> problems) {
        return a.hasNonNull(name) ? resolve(a.get(name).asString(), config, problems, file, "$.source.auth." + name) : null;
    }

    private static java.nio.file.Path path(String text) {
        return text == null || text.isBlank() ? null : java.nio.file.Path.of(text);
    }

    private static Duration duration(JsonNode node, String name, String fallback) {
        return Duration.parse(node.path(name).asText(fallback));
    }

    private static String text(JsonNode node, String name, String path, UnaryOperator<String> config, List<String> problems) {
        JsonNode value = node.get(name);
        String where = path == null ? "$.source." + name : path;
        if (value == null || value.isNull() || value.asString().isBlank()) {
            problems.add(where + ": missing");
            return null;
        }
        return resolve(value.asString(), config, problems, null, where);
    }

    /** Replaces {@code {{key}}} and {@code {{key:default}}} with configuration values. */
    static String resolve(String text, UnaryOperator<String> config, List<String> problems, String file, String path) {
        Matcher m = CONFIG.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = config.apply(m.group(1).strip());
            if (value == null) {
                value = m.group(2);
            }
            if (value == null) {
                problems.add(path + ": configuration property '" + m.group(1).strip() + "' is not set");
                value = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static URI uri(String text, String file, String path, List<String> problems) {
        if (text == null || text.isEmpty()) {
            return null; // already reported as missing
        }
        try {
            URI uri = URI.create(text);
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                problems.add(path + ": not an http(s) URL with a host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            problems.add(path + ": not a URL");
            return null;
        }
    }

    /** The request URL without query, for the ledger's {@code source}: never a credential. */
    public String displayUrl() {
        String base = baseUrl.toString();
        return (base.endsWith("/") && path.startsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
    }

    @Override
    public String toString() {
        return "SourceSpec[" + connectorId + ", " + displayUrl() + ", paging=" + paging.style() + ", " + auth + "]";
    }
}
