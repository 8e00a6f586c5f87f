package io.caravan.fetch;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The Google Ads API's errors as its REST interface publishes them: {@code {"error": {"code",
 * "status", "details": [{"@type": "...GoogleAdsFailure", "errors": [{"errorCode": {"quotaError":
 * "RESOURCE_EXHAUSTED"}, "details": {"quotaErrorDetails": {"retryDelay": "30s"}}}], "requestId"}]}}},
 * or an array of such objects from {@code searchStream}.
 *
 * <ul>
 *   <li>{@code authenticationError OAUTH_TOKEN_EXPIRED}/{@code OAUTH_TOKEN_INVALID}: a new access
 *       token once, then the batch fails with the code;</li>
 *   <li>any other {@code authenticationError} or {@code authorizationError}
 *       ({@code USER_PERMISSION_DENIED}, {@code DEVELOPER_TOKEN_NOT_APPROVED}, ...): the batch fails
 *       with the error code only;</li>
 *   <li>{@code quotaError} or status {@code RESOURCE_EXHAUSTED}: waits the {@code retryDelay} the
 *       error gives (else the back-off) within the retry budget;</li>
 *   <li>{@code 5xx} without a failure: the plain HTTP rules; anything else fails with its codes and
 *       the request id.</li>
 * </ul>
 * Error messages (free text, may quote the query) are never repeated. Stateless, thread-safe.
 */
final class GoogleAdsErrors implements Dialect {
    static final GoogleAdsErrors INSTANCE = new GoogleAdsErrors();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_]{1,80}");
    private static final Pattern DELAY = Pattern.compile("([0-9]{1,6})(\\.[0-9]+)?s");

    private GoogleAdsErrors() {
    }

    /** One error's kind and code, e.g. {@code quotaError} / {@code RESOURCE_EXHAUSTED}. */
    record Code(String kind, String value) {
        @Override
        public String toString() {
            return kind + " " + value;
        }
    }

    /** What the error body says, as far as it can be read. */
    record Failure(String status, List<Code> codes, Duration retryDelay, String requestId) {
        boolean has(String kind) {
            return codes.stream().anyMatch(c -> c.kind().equals(kind));
        }

        String describe(int http) {
            StringBuilder s = new StringBuilder("Google Ads API error");
            if (!codes.isEmpty()) {
                s.append(' ').append(String.join(", ", codes.stream().map(Code::toString).toList()));
            }
            s.append(" (HTTP ").append(http).append(status == null ? "" : ", " + status).append(')');
            if (requestId != null) {
                s.append(", request id ").append(requestId);
            }
            return s.toString();
        }
    }

    @Override
    public Verdict onError(int status, HttpHeaders headers, byte[] body, boolean authorised) {
        Failure failure = read(body);
        if (failure.has("authenticationError") && failure.codes().stream()
                .anyMatch(c -> c.value().equals("OAUTH_TOKEN_EXPIRED") || c.value().equals("OAUTH_TOKEN_INVALID"))) {
            return new Verdict.Reauthenticate(failure.describe(status));
        }
        if (failure.has("authenticationError") || failure.has("authorizationError")) {
            return new Verdict.Fail(failure.describe(status));
        }
        if (failure.has("quotaError") || "RESOURCE_EXHAUSTED".equals(failure.status()) || status == 429) {
            return new Verdict.Retry(failure.retryDelay(), failure.describe(status));
        }
        if (status >= 500 && failure.codes().isEmpty()) {
            return new Verdict.Standard();
        }
        if (status == 401 && failure.codes().isEmpty()) {
            return new Verdict.Reauthenticate(failure.describe(status));
        }
        return new Verdict.Fail(failure.describe(status));
    }

    static Failure read(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            return new Failure(null, List.of(), null, null);
        }
        if (root == null) {
            return new Failure(null, List.of(), null, null);
        }
        JsonNode error = root.isArray() ? root.path(0).path("error") : root.path("error");
        String status = code(error.path("status").asText(null));
        List<Code> codes = new ArrayList<>();
        Duration delay = null;
        String requestId = null;
        for (JsonNode detail : error.path("details")) {
            if (!detail.path("@type").asText("").endsWith(".GoogleAdsFailure")) {
                if (detail.path("@type").asText("").endsWith("google.rpc.RetryInfo")) {
                    delay = delay == null ? duration(detail.path("retryDelay").asText(null)) : delay;
                }
                continue;
            }
            requestId = code(detail.path("requestId").asText(null));
            for (JsonNode e : detail.path("errors")) {
                e.path("errorCode").properties().forEach(entry -> {
                    String kind = code(entry.getKey());
                    String value = code(entry.getValue().asText(null));
                    if (kind != null && value != null) {
                        codes.add(new Code(kind, value));
                    }
                });
                Duration d = duration(e.path("details").path("quotaErrorDetails").path("retryDelay").asText(null));
                if (d != null && (delay == null || d.compareTo(delay) > 0)) {
                    delay = d;
                }
            }
        }
        return new Failure(status, List.copyOf(codes), delay, requestId);
    }

    private static String code(String text) {
        return text != null && CODE.matcher(text).matches() ? text : null;
    }

    /** A protobuf JSON duration such as {@code "30s"} or {@code "1.5s"}. */
    static Duration duration(String text) {
        if (text == null) {
            return null;
        }
        var m = DELAY.matcher(text.strip());
        if (!m.matches()) {
            return null;
        }
        long millis = m.group(2) == null ? 0 : Math.round(Double.parseDouble("0" + m.group(2)) * 1000);
        return Duration.ofSeconds(Long.parseLong(m.group(1))).plusMillis(millis);
    }
}
