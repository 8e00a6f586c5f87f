package io.caravan.lineage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.spi.Resource;

/**
 * Reads a running route's {@link RouteInfo} from the Camel context: its file (relative to the
 * working directory) with the SHA-256 of its current content, its consumer's URI and its steps.
 * Thread-safe; reads the route file each time (route files are small and may be reloaded).
 */
final class CamelRoutes {
    private final CamelContext camel;
    private final Path workingDir;

    CamelRoutes(CamelContext camel, Path workingDir) {
        this.camel = camel;
        this.workingDir = workingDir.toAbsolutePath().normalize();
    }

    Optional<RouteInfo> find(String routeId) {
        if (routeId == null) {
            return Optional.empty();
        }
        Route route = camel.getRoute(routeId);
        if (route == null) {
            return Optional.empty();
        }
        String file = null;
        String hash = null;
        Resource resource = route.getSourceResource();
        if (resource != null && resource.getLocation() != null) {
            String location = resource.getLocation();
            location = location.startsWith("file:") ? location.substring("file:".length()) : location;
            Path path = workingDir.resolve(location).normalize();
            file = path.startsWith(workingDir) ? workingDir.relativize(path).toString().replace('\\', '/') : location;
            hash = sha256(path);
        }
        List<String> steps = new ArrayList<>();
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        RouteDefinition definition = model == null ? null : model.getRouteDefinition(routeId);
        if (definition != null) {
            collect(definition.getOutputs(), steps);
        }
        return Optional.of(new RouteInfo(routeId, route.getDescription(), file, hash,
                route.getEndpoint() == null ? null : route.getEndpoint().getEndpointUri(), steps));
    }

    private static void collect(List<ProcessorDefinition<?>> outputs, List<String> steps) {
        for (ProcessorDefinition<?> output : outputs) {
            if (output instanceof SendDefinition<?> send && send.getEndpointUri() != null) {
                steps.add(send.getEndpointUri());
            }
            collect(output.getOutputs(), steps);
        }
    }

    private static String sha256(Path file) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException | NoSuchAlgorithmException e) {
            return null;
        }
    }
}
