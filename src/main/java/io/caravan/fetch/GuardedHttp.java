package io.caravan.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * Sends one logical request of a connector under the operations contract: every URL and every
 * redirect hop passes the {@link HostGuard}; {@code 429} (waiting its {@code Retry-After}, or the
 * back-off) and {@code 5xx} answers and connection failures are retried with exponential back-off
 * within the connector's budget (attempts and total time); a {@code 401} with an OAuth2 token
 * refreshes the token once. Credentials — the bearer token, an API key, secret extra headers, the
 * dialect's proof parameters — go only to the base URL's host (scheme, host and port). The
 * platform's {@link Dialect} reads error bodies first (at most 64 KiB; a platform's retry delay is
 * waited within the budget) and its usage headers after a success. A 2xx answer that is an HTML
 * page, or declares more bytes than {@code limits.maxResponseBytes}, is refused. Any other status,
 * an exhausted budget or a refused host is a {@link FetchException} naming the connector, the
 * request and the rule. Nothing is logged.
 *
 * <p>Thread-safe (the JDK client is); each call is independent.
 */
final class GuardedHttp {
    private static final int MAX_REDIRECTS = 5;
    private static final int ERROR_BODY_BYTES = 64 * 1024;

    /** Waits between attempts; replaceable only to observe waits, tests use real short back-offs. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final SourceSpec spec;
    private final HostGuard guard;
    private final HttpClient client;
    private final OAuth2Tokens tokens;
    private final Sleeper sleeper;
    private final Clock clock;
    private final Dialect dialect;
    private Instant quietUntil = Instant.MIN;

    GuardedHttp(SourceSpec spec, HostGuard guard, HttpClient client, OAuth2Tokens tokens, Sleeper sleeper, Clock clock) {
        this(spec, guard, client, tokens, sleeper, clock, Dialect.HTTP);
    }

    GuardedHttp(SourceSpec spec, HostGuard guard, HttpClient client, OAuth2Tokens tokens, Sleeper sleeper, Clock clock,
                Dialect dialect) {
        this.dialect = dialect;
        this.spec = spec;
        this.guard = guard;
        this.client = client;
        this.tokens = tokens;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    /**
     * @param body        for POST; null sends a GET
     * @param authorise   true to send the bearer token (false for the token request itself)
     * @return a 2xx answer whose body the caller must close
     */
    HttpResponse<InputStream> send(URI uri, String body, String contentType, String what, boolean authorise) {
        return send(uri, body, contentType, what, authorise, authorise ? dialect : OAuth2Errors.INSTANCE);
    }

    /** As {@link #send(URI, String, String, String, boolean)}, reading error answers with {@code answers}. */
    HttpResponse<InputStream> send(URI uri, String body, String contentType, String what, boolean authorise, Dialect answers) {
        Instant deadline = clock.instant().plus(spec.retry().budget());
        int attempts = 0;
        int redirects = 0;
        boolean refreshed = false;
        URI current = uri;
        String currentBody = body;
        waitQuiet(deadline, what);
        while (true) {
            guard.check(current, what);
            attempts++;
            boolean apiHost = sameHost(current, spec.baseUrl());
            String token = authorise && apiHost ? accessToken() : null;
            URI target = authorise && apiHost ? withCredentials(current, token, answers) : current;
            HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(spec.timeout())
                    .header("Accept", "application/json");
            if (currentBody != null) {
                request.POST(HttpRequest.BodyPublishers.ofString(currentBody)).header("Content-Type", contentType);
            } else {
                request.GET();
            }
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            if (authorise && apiHost) {
                if ("api-key".equals(spec.auth().type()) && "header".equals(spec.auth().keyIn())) {
                    request.header(spec.auth().keyName(), spec.auth().key().value());
                }
                spec.headers().forEach((name, header) -> {
                    if (!header.value().isEmpty()) {
                        request.header(name, header.value());
                    }
                });
            }
            HttpResponse<InputStream> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                Duration wait = backoff(attempts);
                if (!canRetry(attempts, deadline, wait)) {
                    throw new FetchException(spec.connectorId() + ": " + what + ": connection failed ("
                            + e.getClass().getSimpleName() + ") after " + attempts + " attempt(s); retry budget exhausted");
                }
                sleep(wait, what);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FetchException(spec.connectorId() + ": " + what + ": interrupted");
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return accepted(response, what, deadline);
            }
            Dialect.Verdict verdict = status >= 300 && status < 400 ? new Dialect.Verdict.Standard()
                    : answers.onError(status, response.headers(), head(response), authorise);
            if (verdict instanceof Dialect.Verdict.Fail fail) {
                throw new FetchException(spec.connectorId() + ": " + what + ": " + fail.reason());
            }
            if (verdict instanceof Dialect.Verdict.Retry retry) {
                Duration wait = retry.delay() != null ? retry.delay() : backoff(attempts);
                if (!canRetry(attempts, deadline, wait)) {
                    throw new FetchException(spec.connectorId() + ": " + what + ": " + retry.reason() + " after " + attempts
                            + " attempt(s); waiting " + wait.toSeconds() + "s more does not fit the retry budget");
                }
                sleep(wait, what);
                continue;
            }
            if (verdict instanceof Dialect.Verdict.Reauthenticate again) {
                if (tokens == null || refreshed) {
                    throw new FetchException(spec.connectorId() + ": " + what + ": " + again.reason()
                            + (tokens == null ? "" : " with a freshly obtained token"));
                }
                tokens.invalidate();
                refreshed = true;
                continue;
            }
            if (status == 401 && authorise && tokens != null && !refreshed) {
                tokens.invalidate();
                refreshed = true;
                continue;
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                Optional<String> location = response.headers().firstValue("Location");
                if (location.isEmpty() || ++redirects > MAX_REDIRECTS) {
                    throw new FetchException(spec.connectorId() + ": " + what + ": HTTP " + status
                            + (location.isEmpty() ? " without a Location" : ": more than " + MAX_REDIRECTS + " redirects"));
                }
                try {
                    current = current.resolve(location.get());
                } catch (IllegalArgumentException e) {
                    throw new FetchException(spec.connectorId() + ": " + what + ": redirect to an invalid URL");
                }
                if (status == 303) {
                    currentBody = null;
                }
                continue;
            }
            if (status == 429 || status >= 500) {
                Duration wait = retryAfter(response).orElse(backoff(attempts));
                if (!canRetry(attempts, deadline, wait)) {
                    throw new FetchException(spec.connectorId() + ": " + what + ": HTTP " + status + " after " + attempts
                            + " attempt(s); retry budget exhausted");
                }
                sleep(wait, what);
                continue;
            }
            throw new FetchException(spec.connectorId() + ": " + what + ": HTTP " + status + " is not retried");
        }
    }

    /** The bearer token to send, or null (api-key, mtls and none send no Authorization header). */
    private String accessToken() {
        if (tokens != null) {
            return tokens.token(this);
        }
        return "bearer".equals(spec.auth().type()) ? spec.auth().token().value() : null;
    }

    private URI withCredentials(URI uri, String token, Dialect answers) {
        java.util.Map<String, String> extra = new java.util.LinkedHashMap<>();
        if ("api-key".equals(spec.auth().type()) && "query".equals(spec.auth().keyIn())) {
            extra.put(spec.auth().keyName(), spec.auth().key().value());
        }
        if (token != null) {
            extra.putAll(answers.proofParameters(token));
        }
        if (extra.isEmpty()) {
            return uri;
        }
        StringBuilder query = new StringBuilder(uri.getRawQuery() == null ? "" : uri.getRawQuery());
        extra.forEach((k, v) -> query.append(query.length() == 0 ? "" : "&")
                .append(java.net.URLEncoder.encode(k, java.nio.charset.StandardCharsets.UTF_8)).append('=')
                .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8)));
        String text = uri.toString();
        int q = text.indexOf('?');
        return URI.create((q < 0 ? text : text.substring(0, q)) + "?" + query);
    }

    /** A 2xx answer, unless it is an HTML page or declares a body over the limit; notes the usage headers. */
    private HttpResponse<InputStream> accepted(HttpResponse<InputStream> response, String what, Instant deadline) {
        String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (type.startsWith("text/html") || type.startsWith("application/xhtml")) {
            discard(response);
            throw new FetchException(spec.connectorId() + ": " + what + ": the answer is an HTML page, not JSON "
                    + "(an error or login page in front of the API?); refused");
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (length > spec.limits().maxResponseBytes()) {
            discard(response);
            throw new FetchException(tooLarge(what));
        }
        Duration pause = dialect.pauseAfter(response.headers());
        if (!pause.isZero() && !pause.isNegative()) {
            synchronized (this) {
                Instant until = clock.instant().plus(pause);
                quietUntil = until.isAfter(quietUntil) ? until : quietUntil;
            }
        }
        return response;
    }

    /** The refusal of an answer larger than the limit. */
    String tooLarge(String what) {
        return spec.connectorId() + ": " + what + ": the answer is larger than " + spec.limits().maxResponseBytes()
                + " bytes (source.limits.maxResponseBytes); refused";
    }

    /** Waits out a pause the platform's usage headers asked for, or fails when it does not fit the budget. */
    private void waitQuiet(Instant deadline, String what) {
        Instant until;
        synchronized (this) {
            until = quietUntil;
        }
        Duration wait = Duration.between(clock.instant(), until);
        if (wait.isNegative() || wait.isZero()) {
            return;
        }
        if (clock.instant().plus(wait).isAfter(deadline)) {
            throw new FetchException(spec.connectorId() + ": " + what + ": the platform's usage headers ask to wait "
                    + wait.toSeconds() + "s, longer than the retry budget; stopped without calling again");
        }
        sleep(wait, what);
    }

    private static byte[] head(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            return body.readNBytes(ERROR_BODY_BYTES);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** The platform dialect of this connector's answers. */
    Dialect dialect() {
        return dialect;
    }

    /** Waits {@code wait} (e.g. between polls of a report run), as the retry waits do. */
    void pause(Duration wait, String what) {
        sleep(wait, what);
    }

    /** The clock of this connector's waits and budgets. */
    Clock clock() {
        return clock;
    }

    private boolean canRetry(int attempts, Instant deadline, Duration wait) {
        return attempts < spec.retry().maxAttempts() && !clock.instant().plus(wait).isAfter(deadline);
    }

    Duration backoff(int attempts) {
        Duration wait = spec.retry().initialBackoff().multipliedBy(1L << Math.min(attempts - 1, 20));
        return wait.compareTo(spec.retry().maxBackoff()) > 0 ? spec.retry().maxBackoff() : wait;
    }

    private Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Retry-After");
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().strip();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(clock.instant(), at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException ex) {
                return Optional.empty();
            }
        }
    }

    private void sleep(Duration wait, String what) {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(spec.connectorId() + ": " + what + ": interrupted while waiting to retry");
        }
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT)) && a.getPort() == b.getPort();
    }

    private static void discard(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            body.skip(64 * 1024);
        } catch (IOException ignored) {
            // the answer is not used
        }
    }
}
