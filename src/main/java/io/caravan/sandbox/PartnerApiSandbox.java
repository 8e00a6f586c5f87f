package io.caravan.sandbox;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local stand-in for the partners' HTTP APIs, serving {@code samples/api/} with the real
 * protocols, for the embedded default only (a new user has no partner credentials and there may
 * be no internet): an OAuth2 token endpoint (client-credentials and refresh-token grants, tokens
 * that expire, {@code invalid_grant} for a wrong refresh token), AutoBörse's cursor-paged
 * incremental lead API, Versicherung Direkt's page-numbered event API, the Google Ads API's
 * {@code searchStream} (developer token, account settings from {@code customer},
 * {@code GoogleAdsFailure} errors, quota errors with a {@code retryDelay}) and Meta's Graph API
 * insights (system-user token in the header, {@code appsecret_proof}, usage headers, throttling
 * error 80000, synchronous and asynchronous report runs, {@code paging.next} links that carry the
 * token as Meta's do). Every {@code throttleEvery}-th API request is throttled the way its platform
 * does it (deterministic), so the retry paths run for real. Dates are served as in the samples (the
 * report window is not applied), so the demo always shows the same rows.
 *
 * <p>Listens on the loopback interface only. Not production code: nothing outside this package
 * refers to it; the routes and descriptors reach it only through the configured base URLs.
 * Thread-safe; logs nothing about requests.
 */
final class PartnerApiSandbox implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path samples;
    private final String clientId;
    private final String clientSecret;
    private final Credentials credentials;
    private final Duration tokenTtl;
    private final int throttleEvery;
    private final Clock clock;
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * The generated credentials of the ad platforms' protocols: Google's refresh token and
     * developer token, Meta's system-user token and app secret.
     */
    record Credentials(String refreshToken, String developerToken, String metaToken, String metaAppSecret) {
        @Override
        public String toString() {
            return "Credentials[generated]";
        }
    }

    PartnerApiSandbox(Path samples, int port, String clientId, String clientSecret, Duration tokenTtl, int throttleEvery,
                      Clock clock) throws IOException {
        this(samples, port, clientId, clientSecret, new Credentials("", "", "", ""), tokenTtl, throttleEvery, clock);
    }

    PartnerApiSandbox(Path samples, int port, String clientId, String clientSecret, Credentials credentials, Duration tokenTtl,
                      int throttleEvery, Clock clock) throws IOException {
        this.samples = samples;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.credentials = credentials;
        this.tokenTtl = tokenTtl;
        this.throttleEvery = throttleEvery;
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        this.executor = Executors.newFixedThreadPool(2);
        server.setExecutor(executor);
        server.createContext("/oauth/token", this::token);
        server.createContext("/autoboerse/v1/leads", ex -> guarded(ex, true, this::leads));
        server.createContext("/versicherung-direkt/v2/events", ex -> guarded(ex, false, this::events));
        server.createContext("/google-ads/", this::googleAds);
        server.createContext("/meta-ads/", this::meta);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}. */
    String url() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    @FunctionalInterface
    private interface Handler {
        void handle(HttpExchange exchange, Map<String, String> query) throws IOException;
    }

    private void token(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                send(ex, 405, "{\"error\":\"method_not_allowed\"}");
                return;
            }
            Map<String, String> form = parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String grant = form.getOrDefault("grant_type", "");
            if (!grant.equals("client_credentials") && !grant.equals("refresh_token")) {
                send(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
                return;
            }
            if (!clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
                send(ex, 401, "{\"error\":\"invalid_client\",\"error_description\":\"Unauthorized\"}");
                return;
            }
            if (grant.equals("refresh_token") && (credentials.refreshToken().isEmpty()
                    || !credentials.refreshToken().equals(form.get("refresh_token")))) {
                send(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}");
                return;
            }
            byte[] random = new byte[24];
            RANDOM.nextBytes(random);
            String token = "sbx-" + HexFormat.of().formatHex(random);
            tokens.put(token, clock.instant().plus(tokenTtl));
            send(ex, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":" + tokenTtl.toSeconds() + "}");
        }
    }

    private void guarded(HttpExchange ex, boolean needsToken, Handler handler) throws IOException {
        try (ex) {
            if (needsToken) {
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                Instant expiry = auth == null || !auth.startsWith("Bearer ") ? null : tokens.get(auth.substring(7));
                if (expiry == null || !clock.instant().isBefore(expiry)) {
                    ex.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                    send(ex, 401, "{\"error\":\"invalid_token\"}");
                    return;
                }
            }
            long n = requests.computeIfAbsent(ex.getHttpContext().getPath(), k -> new AtomicLong()).incrementAndGet();
            if (throttleEvery > 0 && n % throttleEvery == 0) {
                ex.getResponseHeaders().add("Retry-After", "1");
                send(ex, 429, "{\"error\":\"rate_limited\"}");
                return;
            }
            handler.handle(ex, parse(ex.getRequestURI().getRawQuery()));
        }
    }

    private void leads(HttpExchange ex, Map<String, String> query) throws IOException {
        List<JsonNode> leads = new ArrayList<>();
        read("autoboerse/leads.json").get("leads").forEach(leads::add);
        String since = query.get("updated_since");
        Instant after = since == null || since.isBlank() ? Instant.MIN : Instant.parse(since);
        List<JsonNode> newer = leads.stream().filter(l -> Instant.parse(l.get("updated_at").asString()).isAfter(after))
                .sorted(Comparator.comparing(l -> Instant.parse(l.get("updated_at").asString()))).toList();
        int offset = query.containsKey("cursor") ? Integer.parseInt(new String(Base64.getUrlDecoder().decode(query.get("cursor")),
                StandardCharsets.UTF_8).substring(2)) : 0;
        int limit = Integer.parseInt(query.getOrDefault("limit", "50"));
        ObjectNode page = JSON.createObjectNode();
        ArrayNode data = page.putArray("leads");
        newer.stream().skip(offset).limit(limit).forEach(data::add);
        if (offset + limit < newer.size()) {
            page.put("next_cursor", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(("o:" + (offset + limit)).getBytes(StandardCharsets.UTF_8)));
        }
        send(ex, 200, JSON.writeValueAsString(page));
    }

    private void events(HttpExchange ex, Map<String, String> query) throws IOException {
        JsonNode all = read("versicherung-direkt/events.json").get("data");
        int page = Integer.parseInt(query.getOrDefault("page", "1"));
        int size = Integer.parseInt(query.getOrDefault("page_size", "20"));
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode data = answer.putArray("data");
        for (int i = (page - 1) * size; i < Math.min(all.size(), page * size); i++) {
            data.add(all.get(i));
        }
        answer.putObject("meta").put("page", page).put("pageSize", size).put("total", all.size());
        send(ex, 200, JSON.writeValueAsString(answer));
    }

    /**
     * Google Ads {@code POST /<version>/customers/<id>/googleAds:searchStream} as the REST interface
     * answers it: a bearer token and the {@code developer-token} header, errors as
     * {@code GoogleAdsFailure} (an expired token {@code OAUTH_TOKEN_EXPIRED}, throttling
     * {@code quotaError RESOURCE_TEMPORARILY_EXHAUSTED} with a {@code retryDelay}), the account's
     * settings for a {@code FROM customer} query, otherwise the sample report.
     */
    private void googleAds(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!"POST".equals(ex.getRequestMethod()) || !path.matches("/google-ads/v[0-9]+/customers/[0-9]{10}/googleAds:searchStream")) {
                sendGoogleError(ex, 404, "NOT_FOUND", null, null);
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            Instant expiry = auth == null || !auth.startsWith("Bearer ") ? null : tokens.get(auth.substring(7));
            if (expiry == null || !clock.instant().isBefore(expiry)) {
                sendGoogleError(ex, 401, "UNAUTHENTICATED", "authenticationError",
                        expiry == null ? "OAUTH_TOKEN_INVALID" : "OAUTH_TOKEN_EXPIRED");
                return;
            }
            if (!credentials.developerToken().isEmpty()
                    && !credentials.developerToken().equals(ex.getRequestHeaders().getFirst("developer-token"))) {
                sendGoogleError(ex, 401, "UNAUTHENTICATED", "authenticationError", "AUTHENTICATION_ERROR");
                return;
            }
            long n = requests.computeIfAbsent("/google-ads/", k -> new AtomicLong()).incrementAndGet();
            if (throttleEvery > 0 && n % throttleEvery == 0) {
                sendGoogleError(ex, 429, "RESOURCE_EXHAUSTED", "quotaError", "RESOURCE_TEMPORARILY_EXHAUSTED");
                return;
            }
            String query = JSON.readTree(ex.getRequestBody().readAllBytes()).path("query").asString("");
            ex.getResponseHeaders().add("Content-Type", "application/json");
            if (query.contains(" FROM customer")) {
                String customer = path.replaceAll(".*/customers/([0-9]+)/.*", "$1");
                send(ex, 200, "[{\"results\":[{\"customer\":{\"resourceName\":\"customers/" + customer + "\",\"id\":\"" + customer
                        + "\",\"currencyCode\":\"EUR\",\"timeZone\":\"Europe/Berlin\"}}],"
                        + "\"fieldMask\":\"customer.id,customer.currencyCode,customer.timeZone\",\"requestId\":\"" + requestId() + "\"}]");
                return;
            }
            ex.sendResponseHeaders(200, 0);
            try (InputStream in = Files.newInputStream(samples.resolve("google-ads/searchStream.json"));
                 OutputStream out = ex.getResponseBody()) {
                in.transferTo(out);
            }
        }
    }

    private static void sendGoogleError(HttpExchange ex, int status, String rpcStatus, String kind, String code) throws IOException {
        StringBuilder body = new StringBuilder("{\"error\":{\"code\":").append(status).append(",\"message\":\"")
                .append(rpcStatus.equals("RESOURCE_EXHAUSTED") ? "Resource has been exhausted (e.g. check quota)."
                        : "Request is missing required authentication credential.")
                .append("\",\"status\":\"").append(rpcStatus).append('"');
        if (kind != null) {
            body.append(",\"details\":[{\"@type\":\"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure\",")
                    .append("\"errors\":[{\"errorCode\":{\"").append(kind).append("\":\"").append(code).append("\"},")
                    .append("\"message\":\"See the error code.\"");
            if (kind.equals("quotaError")) {
                body.append(",\"details\":{\"quotaErrorDetails\":{\"rateScope\":\"DEVELOPER\",")
                        .append("\"rateName\":\"Requests per developer token\",\"retryDelay\":\"1s\"}}");
            }
            body.append("}],\"requestId\":\"").append(requestId()).append("\"}]");
        }
        body.append("}}");
        send(ex, status, body.toString());
    }

    private static String requestId() {
        byte[] random = new byte[11];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /**
     * Meta's Graph API: a system-user token in the {@code Authorization} header (an
     * {@code access_token} in the URL is refused here, so the demo proves Caravan never sends one),
     * {@code appsecret_proof} when an app secret is set, errors as {@code {"error": {"code", "type",
     * "fbtrace_id"}}} (190 for a bad token, 80000 for throttling), usage headers on every answer,
     * synchronous {@code /act_<id>/insights} and the asynchronous report run (POST → report_run_id,
     * status polls, {@code /<run>/insights}), paged by {@code paging.next} links that carry the
     * token the way Meta's do.
     */
    private void meta(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> query = parse(ex.getRequestURI().getRawQuery());
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
            if (query.containsKey("access_token")) {
                sendMetaError(ex, 400, 100, "GraphMethodException", 0);
                return;
            }
            if (credentials.metaToken().isEmpty() || !credentials.metaToken().equals(token)) {
                sendMetaError(ex, 400, 190, "OAuthException", 0);
                return;
            }
            if (!credentials.metaAppSecret().isEmpty()
                    && !hmacSha256Hex(credentials.metaAppSecret(), token).equals(query.get("appsecret_proof"))) {
                sendMetaError(ex, 400, 100, "GraphMethodException", 0);
                return;
            }
            long n = requests.computeIfAbsent("/meta-ads/", k -> new AtomicLong()).incrementAndGet();
            usageHeaders(ex, n);
            if (throttleEvery > 0 && n % throttleEvery == 0) {
                sendMetaError(ex, 400, 80000, "OAuthException", 2446079);
                return;
            }
            String path = ex.getRequestURI().getPath();
            java.util.regex.Matcher run = java.util.regex.Pattern.compile("/meta-ads/(v[0-9.]+)/([0-9]{6,})(/insights)?").matcher(path);
            if (path.matches("/meta-ads/v[0-9.]+/act_[0-9]+/insights")) {
                if ("POST".equals(ex.getRequestMethod())) {
                    String id = String.valueOf(6_100_000_000_000L + RANDOM.nextInt(1_000_000));
                    runs.put(id, new AtomicLong());
                    send(ex, 200, "{\"report_run_id\":\"" + id + "\"}");
                } else {
                    insights(ex, query, path, token);
                }
            } else if (run.matches() && runs.containsKey(run.group(2))) {
                if (run.group(3) == null) {
                    long polls = runs.get(run.group(2)).incrementAndGet();
                    boolean done = polls > 1;
                    send(ex, 200, "{\"id\":\"" + run.group(2) + "\",\"account_id\":\"9988776655\",\"async_status\":\""
                            + (done ? "Job Completed" : "Job Running") + "\",\"async_percent_completion\":" + (done ? 100 : 50) + "}");
                } else {
                    insights(ex, query, path, token);
                }
            } else {
                sendMetaError(ex, 400, 100, "GraphMethodException", 33);
            }
        }
    }

    private final Map<String, AtomicLong> runs = new ConcurrentHashMap<>();

    private void insights(HttpExchange ex, Map<String, String> query, String path, String token) throws IOException {
        JsonNode all = read("meta/insights.json").get("data");
        int offset = query.containsKey("after") ? Integer.parseInt(query.get("after").substring(1)) : 0;
        int limit = Integer.parseInt(query.getOrDefault("limit", "25"));
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode data = answer.putArray("data");
        for (int i = offset; i < Math.min(all.size(), offset + limit); i++) {
            data.add(all.get(i));
        }
        ObjectNode paging = answer.putObject("paging");
        paging.putObject("cursors").put("before", "c" + offset).put("after", "c" + (offset + limit));
        if (offset + limit < all.size()) {
            String raw = ex.getRequestURI().getRawQuery();
            String rest = raw == null ? "" : raw.replaceAll("(^|&)(after|appsecret_proof)=[^&]*", "");
            paging.put("next", url() + path + "?access_token=" + token + "&" + (rest.isEmpty() ? "" : rest.replaceFirst("^&", "") + "&")
                    + "after=c" + (offset + limit));
        }
        send(ex, 200, JSON.writeValueAsString(answer));
    }

    private static void usageHeaders(HttpExchange ex, long n) {
        int pct = (int) Math.min(90, n * 3);
        ex.getResponseHeaders().add("x-business-use-case-usage", "{\"9988776655\":[{\"type\":\"ads_insights\",\"call_count\":" + pct
                + ",\"total_cputime\":" + pct / 2 + ",\"total_time\":" + pct / 2 + ",\"estimated_time_to_regain_access\":0}]}");
        ex.getResponseHeaders().add("x-ad-account-usage", "{\"acc_id_util_pct\":" + pct / 3
                + ",\"reset_time_duration\":0,\"ads_api_access_tier\":\"standard_access\"}");
    }

    private static void sendMetaError(HttpExchange ex, int status, int code, String type, int subcode) throws IOException {
        String message = switch (code) {
            case 190 -> "Invalid OAuth access token - Cannot parse access token";
            case 80000 -> "(#80000) There have been too many calls from this ad-account. Wait a bit and try again.";
            default -> "(#100) Invalid parameter";
        };
        send(ex, status, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"code\":" + code
                + (subcode == 0 ? "" : ",\"error_subcode\":" + subcode) + ",\"fbtrace_id\":\"" + requestId() + "\"}}");
    }

    /** HMAC-SHA256 (RFC 2104) with the JDK's SHA-256, as Meta computes appsecret_proof. */
    private static String hmacSha256Hex(String secret, String message) {
        try {
            java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
            byte[] key = secret.getBytes(StandardCharsets.UTF_8);
            if (key.length > 64) {
                key = sha256.digest(key);
            }
            byte[] inner = new byte[64];
            byte[] outer = new byte[64];
            for (int i = 0; i < 64; i++) {
                byte k = i < key.length ? key[i] : 0;
                inner[i] = (byte) (k ^ 0x36);
                outer[i] = (byte) (k ^ 0x5c);
            }
            sha256.update(inner);
            byte[] innerHash = sha256.digest(message.getBytes(StandardCharsets.UTF_8));
            sha256.update(outer);
            return HexFormat.of().formatHex(sha256.digest(innerHash));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode read(String sample) throws IOException {
        return JSON.readTree(samples.resolve(sample).toFile());
    }

    private static Map<String, String> parse(String form) {
        Map<String, String> values = new HashMap<>();
        if (form == null || form.isEmpty()) {
            return values;
        }
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            values.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
