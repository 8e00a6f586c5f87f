package io.caravan.lineage;

import java.util.List;
import java.util.Objects;

/**
 * What lineage needs to know of a route: its id and description, the file it was loaded from
 * (relative, as in the repository) with the SHA-256 of its content at the time, the URI of its
 * consumer (placeholders resolved; may hold credentials, so only {@link SourceDatasets} reads it)
 * and the URIs of its {@code to:} steps in order.
 */
record RouteInfo(String routeId, String description, String file, String contentHash, String fromUri, List<String> steps) {
    RouteInfo {
        Objects.requireNonNull(routeId, "routeId");
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** The target of the first step with {@code scheme} ({@code consent:analytics} → {@code analytics}), or null. */
    String stepTarget(String scheme) {
        for (String step : steps) {
            if (step.startsWith(scheme + ":")) {
                String target = step.substring(scheme.length() + 1);
                int q = target.indexOf('?');
                target = q < 0 ? target : target.substring(0, q);
                return target.startsWith("//") ? target.substring(2) : target;
            }
        }
        return null;
    }
}
