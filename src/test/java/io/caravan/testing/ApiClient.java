package io.caravan.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Calls Caravan's HTTP API as the tests do: a base URL (e.g. {@code http://localhost:8080} or
 * {@code CARAVAN_API_URL} of {@code local.env}) plus a path, an {@code Authorization} header per
 * call ({@code null} for an anonymous call, else e.g. {@link #basic}), and a JSON body where there
 * is one. Every answer is read whole as a string; status codes are returned, never thrown.
 *
 * <p>Immutable and thread-safe (one {@link HttpClient} per instance). It logs nothing.
 */
public final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    private ApiClient(String base) {
        this.base = base;
    }

    /** A client for the API at {@code baseUrl} (scheme, host and port, no trailing slash). */
    public static ApiClient at(String baseUrl) {
        return new ApiClient(baseUrl);
    }

    /** A client for the API on {@code http://localhost:port}. */
    public static ApiClient onLocalhost(int port) {
        return at("http://localhost:" + port);
    }

    /** The {@code Authorization} value for HTTP Basic with these credentials (UTF-8). */
    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The body of an answer as JSON. */
    public static JsonNode json(HttpResponse<String> answer) {
        return JSON.readTree(answer.body());
    }

    /** The string values of a JSON array, in order. */
    public static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asString()));
        return values;
    }

    /** The URI of {@code path} (which starts with {@code /} and may carry a query). */
    public URI uri(String path) {
        return URI.create(base + path);
    }

    /** A request to {@code path} carrying {@code authorization} unless it is null, for callers that need more headers or another method. */
    public HttpRequest.Builder request(String path, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        return authorization == null ? request : request.header("Authorization", authorization);
    }

    /** {@code GET path}. */
    public HttpResponse<String> get(String path, String authorization) {
        return send("GET", path, authorization, null);
    }

    /** {@code POST path} with {@code json} as an {@code application/json} body, or no body when it is null. */
    public HttpResponse<String> post(String path, String authorization, String json) {
        return send("POST", path, authorization, json);
    }

    /** {@code method path} with {@code json} as an {@code application/json} body, or no body when it is null. */
    public HttpResponse<String> send(String method, String path, String authorization, String json) {
        HttpRequest.Builder request = request(path, authorization);
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return send(request);
    }

    /** Sends a request built with {@link #request}. */
    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("no answer from " + base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling " + base, e);
        }
    }
}
