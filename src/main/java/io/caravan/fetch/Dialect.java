package io.caravan.fetch;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Map;

/**
 * How one platform's answers read beyond the HTTP status: its error bodies (Google's
 * {@code GoogleAdsFailure}, Meta's Graph API {@code error}, OAuth2's {@code error}), its usage
 * headers and the request parameters it derives from the access token. {@link GuardedHttp} asks
 * the dialect of each request.
 *
 * <p>Contract: implementations are stateless and thread-safe; a {@link Verdict.Fail} reason names
 * error codes, statuses and rules only, never a value from the body, a token or a URL query.
 */
interface Dialect {
    /** What {@link GuardedHttp} does with a non-2xx answer. */
    sealed interface Verdict permits Verdict.Retry, Verdict.Fail, Verdict.Reauthenticate, Verdict.Standard {
        /**
         * Try again after {@code delay} (null: the connector's back-off), if the budget allows; the
         * reason names the error when it does not.
         */
        record Retry(Duration delay, String reason) implements Verdict {
        }

        /** The access token was refused: get a new one once and try again, else fail with {@code reason}. */
        record Reauthenticate(String reason) implements Verdict {
        }

        /** Give up: the batch fails with {@code reason}. */
        record Fail(String reason) implements Verdict {
        }

        /** The status rules of {@link GuardedHttp} apply (429/5xx retried, 401 refreshes the token once). */
        record Standard() implements Verdict {
        }
    }

    /** The plain HTTP rules. */
    Dialect HTTP = new Dialect() { };

    /**
     * Reads a non-2xx answer.
     *
     * @param body at most the first 64 KiB of the answer (may be empty or not JSON)
     * @param authorised true when the request carried the API credentials (not the token request)
     */
    default Verdict onError(int status, HttpHeaders headers, byte[] body, boolean authorised) {
        return new Verdict.Standard();
    }

    /** How long to wait before the next request after a successful answer (usage headers near the limit). */
    default Duration pauseAfter(HttpHeaders headers) {
        return Duration.ZERO;
    }

    /** Query parameters added to a request to the API host that carries {@code accessToken} (e.g. {@code appsecret_proof}). */
    default Map<String, String> proofParameters(String accessToken) {
        return Map.of();
    }

    /** The URL to request for a link the API gave (e.g. a {@code next} link with the token stripped out). */
    default URI clean(URI link) {
        return link;
    }
}
