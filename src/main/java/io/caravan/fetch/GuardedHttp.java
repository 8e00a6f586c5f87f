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
 * within the connector's budget (attempts and total time); a {@code 401} with a bearer token
 * refreshes the token once; the bearer token goes only to the base URL's host. Any other status,
 * an exhausted budget or a refused host is a {@link FetchException} naming the connector, the
 * request and the rule. Answer bodies of failed attempts are discarded unread; nothing is logged.
 *
 * <p>Thread-safe (the JDK client is); each call is independent.
 */
final class GuardedHttp {
    private static final int MAX_REDIRECTS = 5;

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

    GuardedHttp(SourceSpec spec, HostGuard guard, HttpClient client, OAuth2Tokens tokens, Sleeper sleeper, Clock clock) {
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
        Instant deadline = clock.instant().plus(spec.retry().budget());
        int attempts = 0;
        int redirects = 0;
        boolean refreshed = false;
        URI current = uri;
        String currentBody = body;
        while (true) {
            guard.check(current, what);
            attempts++;
            HttpRequest.Builder request = HttpRequest.newBuilder(current).timeout(spec.timeout())
                    .header("Accept", "application/json");
            if (currentBody != null) {
                request.POST(HttpRequest.BodyPublishers.ofString(currentBody)).header("Content-Type", contentType);
            } else {
                request.GET();
            }
            if (authorise && tokens != null && sameHost(current, spec.baseUrl())) {
                request.header("Authorization", "Bearer " + tokens.token(this));
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
                return response;
            }
            discard(response);
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
