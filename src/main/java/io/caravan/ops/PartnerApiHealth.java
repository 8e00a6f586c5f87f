package io.caravan.ops;

/**
 * Where the code that calls a partner's API reports how each call went, so that
 * {@code /actuator/health} shows one component per connector under {@code partnerApis}: {@code UP}
 * after a success, {@code DEGRADED} after a failure (the application as a whole stays available,
 * HTTP 200), {@code UNKNOWN} before the first call. The next success turns it {@code UP} again,
 * without a restart.
 *
 * <p>Implementations are thread-safe and cheap (a map update); they never throw. The reason is a
 * short fixed phrase written by the caller ({@code "HTTP 503"}, {@code "timeout"}): never a URL
 * with credentials, a response body or personal data. Get it by injecting {@code PartnerApiHealth}.
 */
interface PartnerApiHealth {

    /** A call of {@code connectorId}'s API succeeded. */
    void succeeded(String connectorId);

    /** A call of {@code connectorId}'s API failed; {@code reason} is a short phrase without values. */
    void failed(String connectorId, String reason);

    /** Makes {@code connectorId} known (shown as {@code UNKNOWN}) before its first call, e.g. at start-up. */
    void register(String connectorId);
}
