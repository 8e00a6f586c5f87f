package io.caravan.fetch;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operations contract's outbound rule for one connector: a request may go only to a host its
 * configuration names — the base URL's and token URL's hosts, and {@code allowedHosts} (exact names
 * or {@code *.suffix}); and a host that resolves to a loopback, private (RFC 1918, unique-local),
 * link-local or wildcard address is refused unless the configuration names that exact host (the
 * sandbox at {@code 127.0.0.1}, say). Checked for every request, every {@code next} link and every
 * redirect hop. Messages name the connector and the rule, never the URL's path or query.
 *
 * <p>Immutable, thread-safe. The check resolves names before the request; the HTTP client resolves
 * again when it connects (a DNS answer that changes in between is not caught here).
 */
final class HostGuard {
    /** Name resolution, replaceable so tests can give a name a private address without DNS. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final String connectorId;
    private final Set<String> exact = new TreeSet<>();
    private final List<String> suffixes;
    private final Resolver resolver;

    HostGuard(SourceSpec spec, Resolver resolver) {
        this.connectorId = spec.connectorId();
        this.resolver = resolver;
        exact.add(host(spec.baseUrl()));
        if (spec.auth().tokenUrl() != null) {
            exact.add(host(spec.auth().tokenUrl()));
        }
        spec.allowedHosts().stream().filter(h -> !h.startsWith("*.")).map(h -> h.toLowerCase(Locale.ROOT)).forEach(exact::add);
        this.suffixes = spec.allowedHosts().stream().filter(h -> h.startsWith("*."))
                .map(h -> h.substring(1).toLowerCase(Locale.ROOT)).toList();
    }

    /** @throws FetchException when {@code uri} may not be requested; {@code what} names the request ("page 2") */
    void check(URI uri, String what) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw refused(what, "only http and https are allowed");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw refused(what, "the URL must name a host and carry no user info");
        }
        String host = host(uri);
        boolean named = exact.contains(host);
        if (!named && suffixes.stream().noneMatch(host::endsWith)) {
            throw refused(what, "host is not in the connector's allowlist");
        }
        if (named) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw refused(what, "host cannot be resolved");
        }
        for (InetAddress address : addresses) {
            if (isInternal(address)) {
                throw refused(what, "host resolves to a loopback, private or link-local address the connector does not name");
            }
        }
    }

    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc; // unique local fc00::/7
        }
        return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64; // carrier-grade NAT 100.64/10
    }

    private static String host(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    private FetchException refused(String what, String rule) {
        return new FetchException(connectorId + ": " + what + ": request refused: " + rule);
    }
}
