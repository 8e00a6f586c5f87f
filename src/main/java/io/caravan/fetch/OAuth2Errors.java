package io.caravan.fetch;

import java.net.http.HttpHeaders;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The token endpoint's error answers (RFC 6749 §5.2: {@code {"error": "invalid_grant", ...}}).
 * {@code 400} and {@code 401} fail at once with the error code and what to do about it; the
 * {@code error_description} is never repeated (it is free text). Other statuses follow the plain
 * HTTP rules (429/5xx retried).
 */
final class OAuth2Errors implements Dialect {
    static final OAuth2Errors INSTANCE = new OAuth2Errors();
    private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\"([A-Za-z0-9_.-]{1,64})\"");

    private OAuth2Errors() {
    }

    @Override
    public Verdict onError(int status, HttpHeaders headers, byte[] body, boolean authorised) {
        if (status != 400 && status != 401) {
            return new Verdict.Standard();
        }
        Matcher m = ERROR.matcher(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        String code = m.find() ? m.group(1) : null;
        String advice = switch (code == null ? "" : code) {
            case "invalid_grant" -> ": the refresh token, service-account key or authorisation grant was revoked or has expired; issue a new one";
            case "invalid_client", "unauthorized_client" -> ": the client id or secret is wrong or the client may not use this grant";
            case "invalid_scope" -> ": the requested scope is not granted";
            default -> "";
        };
        return new Verdict.Fail("refused by the token endpoint (HTTP " + status + (code == null ? "" : ", " + code) + ")" + advice);
    }
}
