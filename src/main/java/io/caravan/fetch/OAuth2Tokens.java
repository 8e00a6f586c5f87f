package io.caravan.fetch;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * OAuth2 access tokens of one connector, by the grant its {@code auth.type} names: client
 * credentials (RFC 6749 §4.4, id and secret in the form body), refresh token (§6, e.g. Google's
 * installed-app or web flow) or JWT bearer (RFC 7523, a service-account assertion signed RS256,
 * see {@link ServiceAccountJwt}). A token is cached until shortly before {@code expires_in} runs
 * out, and requested again when expired or after the API answered {@code 401}
 * ({@link #invalidate()}). Token endpoint refusals ({@code invalid_grant}: a revoked refresh token)
 * fail the run with the error code ({@link OAuth2Errors}). Tokens, secrets and assertions are
 * never logged, put in a message or printed by {@link #toString()}.
 *
 * <p>Thread-safe (synchronised).
 */
final class OAuth2Tokens {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SKEW = Duration.ofSeconds(30);

    private final String connectorId;
    private final SourceSpec.Auth auth;
    private final Clock clock;
    private String token;
    private Instant expiresAt = Instant.MIN;
    private int requests;

    OAuth2Tokens(String connectorId, SourceSpec.Auth auth, Clock clock) {
        this.connectorId = connectorId;
        this.auth = auth;
        this.clock = clock;
    }

    SourceSpec.Auth auth() {
        return auth;
    }

    synchronized String token(GuardedHttp http) {
        if (token != null && clock.instant().isBefore(expiresAt)) {
            return token;
        }
        String form = switch (auth.type()) {
            case "oauth2-refresh-token" -> "grant_type=refresh_token&refresh_token=" + encode(auth.refreshToken().value())
                    + "&client_id=" + encode(auth.clientId()) + "&client_secret=" + encode(auth.clientSecret().value());
            case "oauth2-jwt-bearer" -> "grant_type=" + encode("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion="
                    + encode(ServiceAccountJwt.read(connectorId, auth.keyFile())
                            .assertion(auth.tokenUrl(), auth.scope(), auth.subject(), clock.instant()));
            default -> "grant_type=client_credentials&client_id=" + encode(auth.clientId())
                    + "&client_secret=" + encode(auth.clientSecret().value())
                    + (auth.scope() == null ? "" : "&scope=" + encode(auth.scope()));
        };
        HttpResponse<InputStream> response = http.send(auth.tokenUrl(), form, "application/x-www-form-urlencoded",
                "token request", false);
        requests++;
        try (InputStream body = response.body()) {
            JsonNode answer = JSON.readTree(body);
            JsonNode access = answer == null ? null : answer.get("access_token");
            if (access == null || !access.isString() || access.asString().isBlank()) {
                throw new FetchException(connectorId + ": token request: answer has no access_token");
            }
            long seconds = answer.path("expires_in").asLong(3600);
            Duration lifetime = Duration.ofSeconds(Math.max(seconds, 1));
            Duration skew = lifetime.compareTo(SKEW.multipliedBy(2)) < 0 ? lifetime.dividedBy(2) : SKEW;
            token = access.asString();
            expiresAt = clock.instant().plus(lifetime).minus(skew);
            return token;
        } catch (IOException | JacksonException e) { // a parser's message may quote the answer: name the class only
            throw new FetchException(connectorId + ": token request: unreadable answer (" + e.getClass().getSimpleName() + ")");
        }
    }

    synchronized void invalidate() {
        token = null;
        expiresAt = Instant.MIN;
    }

    /** How many tokens were obtained (for the ops view and tests). */
    synchronized int requests() {
        return requests;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "OAuth2Tokens[" + connectorId + "]";
    }
}
