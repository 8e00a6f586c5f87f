package io.caravan.lineage;

import io.caravan.connector.ConnectorDescriptor;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the dataset a route reads, following the OpenLineage naming conventions, from where the
 * route's consumer or its {@code fetch:} connector points, and never from what a batch carried:
 *
 * <ul>
 *   <li>a partner's inbox on Caravan's SFTP gateway: namespace {@code sftp://<gateway>},
 *       name {@code <partner>/inbox};</li>
 *   <li>a partner's own SFTP/FTP server: namespace {@code sftp://host:port}, name the polled directory;</li>
 *   <li>a partner API: namespace {@code https://host[:port]}, name the resource path of the connector;</li>
 *   <li>another local directory: namespace {@code file://<host>}, name its absolute path.</li>
 * </ul>
 *
 * <p>User names, passwords, query strings and file names are never part of a name. Pure and thread-safe.
 */
final class SourceDatasets {
    private static final Pattern REMOTE = Pattern.compile(
            "^(sftp|ftp|ftps):(?://)?(?:[^@/?]*@)?([^:/?]+)(?::(\\d+))?/?([^?]*)");

    private final Path gatewayRoot;
    private final String gatewayNamespace;
    private final String localHost;
    private final UnaryOperator<String> placeholders;

    /**
     * @param gatewayRoot      the SFTP gateway's root directory (partners' inboxes below it)
     * @param gatewayNamespace e.g. {@code sftp://caravan-gateway:2222}
     * @param placeholders     resolves {@code {{...}}} placeholders of a descriptor's base URL
     */
    SourceDatasets(Path gatewayRoot, String gatewayNamespace, String localHost, UnaryOperator<String> placeholders) {
        this.gatewayRoot = gatewayRoot.toAbsolutePath().normalize();
        this.gatewayNamespace = Objects.requireNonNull(gatewayNamespace, "gatewayNamespace");
        this.localHost = localHost;
        this.placeholders = placeholders;
    }

    /** The dataset the route reads; {@code connector} is the route's fetch/harmonise descriptor (may be null). */
    DatasetName of(RouteInfo route, ConnectorDescriptor connector, boolean fetches) {
        if (fetches && connector != null && connector.source() != null && !connector.source().isMissingNode()) {
            DatasetName api = api(connector);
            if (api != null) {
                return api;
            }
        }
        String from = route.fromUri() == null ? "" : route.fromUri();
        Matcher remote = REMOTE.matcher(from);
        if (remote.find()) {
            String scheme = remote.group(1);
            String port = remote.group(3) == null ? "" : ":" + remote.group(3);
            String dir = remote.group(4).isBlank() ? "/" : remote.group(4);
            return new DatasetName(scheme + "://" + remote.group(2).toLowerCase(Locale.ROOT) + port, dir);
        }
        if (from.startsWith("file:")) {
            String dir = from.substring("file:".length());
            int q = dir.indexOf('?');
            dir = q < 0 ? dir : dir.substring(0, q);
            if (dir.startsWith("//")) {
                dir = dir.substring(2);
            }
            Path path = Path.of(dir).toAbsolutePath().normalize();
            if (path.startsWith(gatewayRoot) && !path.equals(gatewayRoot)) {
                return new DatasetName(gatewayNamespace, gatewayRoot.relativize(path).toString().replace('\\', '/'));
            }
            return new DatasetName("file://" + localHost, path.toString().replace('\\', '/'));
        }
        return new DatasetName("caravan", "route/" + route.routeId());
    }

    private DatasetName api(ConnectorDescriptor connector) {
        String base = connector.source().path("baseUrl").asString("");
        if (base.isBlank()) {
            return null;
        }
        try {
            URI uri = URI.create(placeholders.apply(base).strip());
            if (uri.getHost() == null) {
                return null;
            }
            String namespace = uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                    + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
            String basePath = uri.getPath() == null ? "" : uri.getPath();
            String path = connector.source().path("path").asString("");
            String name = (basePath.endsWith("/") && path.startsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath) + path;
            int q = name.indexOf('?');
            name = q < 0 ? name : name.substring(0, q);
            return new DatasetName(namespace, name.isBlank() ? "/" : name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An OpenLineage dataset identity. */
    record DatasetName(String namespace, String name) {
        DatasetName {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
        }
    }
}
