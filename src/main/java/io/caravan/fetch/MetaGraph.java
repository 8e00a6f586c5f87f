package io.caravan.fetch;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The Meta Graph (Marketing) API's rules as Meta publishes them:
 * <ul>
 *   <li>the access token travels in the {@code Authorization} header (auth kind {@code bearer}),
 *       never in a URL; the {@code access_token} Meta puts into its own {@code paging.next} links is
 *       removed before the link is followed ({@link #clean}); with an app secret configured every
 *       request carries {@code appsecret_proof} = HMAC-SHA256 of the token keyed by the secret (hex);</li>
 *   <li>errors {@code {"error": {"code", "error_subcode", "type", "is_transient", "fbtrace_id"}}}:
 *       throttling codes (4, 17, 32, 613, 80000–80014) wait as long as the usage headers say
 *       ({@code estimated_time_to_regain_access}, minutes) or the connector's back-off; code 190 (the
 *       token expired or was invalidated) and permission errors (10, 200–299) fail with their codes;
 *       transient errors (1, 2, {@code is_transient}) follow the HTTP retry rules; anything else fails
 *       with its codes — the free-text message is never repeated;</li>
 *   <li>after a successful answer the usage headers {@code x-business-use-case-usage},
 *       {@code x-ad-account-usage} and {@code x-fb-ads-insights-throttle}: at 95 % of a quota or more the
 *       next request waits until the quota has recovered (the platform's own estimate, else
 *       {@code reset_time_duration}, else a minute).</li>
 * </ul>
 * Immutable, thread-safe; {@link #toString()} never shows the app secret.
 */
final class MetaGraph implements Dialect {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Integer> THROTTLING = Set.of(4, 17, 32, 613);
    private static final Set<String> CREDENTIAL_PARAMS = Set.of("access_token", "appsecret_proof", "appsecret_time");
    static final int USAGE_LIMIT_PCT = 95;

    private final SourceSpec.Secret appSecret;

    MetaGraph(SourceSpec.Secret appSecret) {
        this.appSecret = appSecret;
    }

    @Override
    public Map<String, String> proofParameters(String accessToken) {
        return appSecret == null || appSecret.value().isEmpty() ? Map.of()
                : Map.of("appsecret_proof", proof(appSecret.value(), accessToken));
    }

    /** HMAC-SHA256 (RFC 2104) of {@code token} keyed by {@code secret}, hex, as the Graph API checks it. */
    static String proof(String secret, String token) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
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
            byte[] innerHash = sha256.digest(token.getBytes(StandardCharsets.UTF_8));
            sha256.update(outer);
            return HexFormat.of().formatHex(sha256.digest(innerHash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    @Override
    public URI clean(URI link) {
        String query = link.getRawQuery();
        if (query == null) {
            return link;
        }
        StringJoiner kept = new StringJoiner("&");
        for (String pair : query.split("&")) {
            String name = URLDecoder.decode(pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair, StandardCharsets.UTF_8);
            if (!CREDENTIAL_PARAMS.contains(name)) {
                kept.add(pair);
            }
        }
        String text = link.toString();
        String base = text.substring(0, text.indexOf('?'));
        return URI.create(kept.length() == 0 ? base : base + "?" + kept);
    }

    @Override
    public Verdict onError(int status, HttpHeaders headers, byte[] body, boolean authorised) {
        JsonNode error;
        try {
            JsonNode root = JSON.readTree(new String(body, StandardCharsets.UTF_8));
            error = root == null ? null : root.get("error");
        } catch (JacksonException e) {
            error = null;
        }
        if (error == null || !error.isObject()) {
            return new Verdict.Standard();
        }
        int code = error.path("code").asInt(-1);
        int subcode = error.path("error_subcode").asInt(0);
        String type = error.path("type").asText("");
        String what = "Meta Graph API error " + code + (subcode == 0 ? "" : "/" + subcode)
                + (type.matches("[A-Za-z]{1,40}") ? " (" + type + ")" : "") + " HTTP " + status;
        if (THROTTLING.contains(code) || (code >= 80000 && code <= 80014)) {
            Duration regain = regainAccess(headers);
            return new Verdict.Retry(regain, what + ": rate limited");
        }
        if (code == 190) {
            return new Verdict.Fail(what + ": the access token expired or was invalidated; issue a new system-user token");
        }
        if (code == 10 || (code >= 200 && code <= 299)) {
            return new Verdict.Fail(what + ": permission denied; the token's user needs access to the ad account (ads_read)");
        }
        if (code == 1 || code == 2 || error.path("is_transient").asBoolean(false)) {
            return new Verdict.Retry(null, what + ": transient");
        }
        return new Verdict.Fail(what);
    }

    @Override
    public Duration pauseAfter(HttpHeaders headers) {
        Duration regain = regainAccess(headers);
        if (regain != null && !regain.isZero()) {
            return regain;
        }
        int pct = 0;
        long reset = 0;
        for (String header : new String[] {"x-ad-account-usage", "x-fb-ads-insights-throttle"}) {
            JsonNode usage = json(headers.firstValue(header).orElse(null));
            if (usage != null) {
                pct = Math.max(pct, (int) Math.max(usage.path("acc_id_util_pct").asDouble(0), usage.path("app_id_util_pct").asDouble(0)));
                reset = Math.max(reset, usage.path("reset_time_duration").asLong(0));
            }
        }
        JsonNode business = json(headers.firstValue("x-business-use-case-usage").orElse(null));
        if (business != null) {
            for (JsonNode entries : business) {
                for (JsonNode e : entries) {
                    pct = Math.max(pct, Math.max(e.path("call_count").asInt(0),
                            Math.max(e.path("total_cputime").asInt(0), e.path("total_time").asInt(0))));
                }
            }
        }
        if (pct < USAGE_LIMIT_PCT) {
            return Duration.ZERO;
        }
        return reset > 0 ? Duration.ofSeconds(reset) : Duration.ofMinutes(1);
    }

    /** The longest {@code estimated_time_to_regain_access} (minutes) of the business use case header, or null. */
    private static Duration regainAccess(HttpHeaders headers) {
        JsonNode business = json(headers.firstValue("x-business-use-case-usage").orElse(null));
        long minutes = -1;
        if (business != null) {
            for (JsonNode entries : business) {
                for (JsonNode e : entries) {
                    minutes = Math.max(minutes, e.path("estimated_time_to_regain_access").asLong(-1));
                }
            }
        }
        return minutes > 0 ? Duration.ofMinutes(minutes) : null;
    }

    private static JsonNode json(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "MetaGraph[appsecret_proof " + (appSecret == null ? "off" : "on") + "]";
    }
}
