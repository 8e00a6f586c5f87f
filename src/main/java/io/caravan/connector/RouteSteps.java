package io.caravan.connector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checks that the Caravan steps of one route agree with the connector descriptors and the
 * warehouse contract: {@code harmonise:<connector>} and {@code fetch:<connector>} name a
 * descriptor, and a later {@code warehouse:<table>} is the descriptor's {@code record:} table.
 *
 * <p>Pure and thread-safe; used at start-up (for every route added, also on a reload) and by the
 * {@code validate} command. Problems name steps, connectors and tables (configuration), never data.
 */
public final class RouteSteps {

    private RouteSteps() {
    }

    /**
     * The problems of one route's steps, each as {@code step <n> (to: <uri>): <problem>}.
     *
     * @param steps the endpoint URIs of the route's {@code to:} steps in order (query strings allowed)
     */
    public static List<String> problems(ConnectorRegistry connectors, List<String> steps) {
        List<String> problems = new ArrayList<>();
        ConnectorDescriptor current = null;
        for (int i = 0; i < steps.size(); i++) {
            String uri = steps.get(i);
            String where = "step " + (i + 1) + " (to: " + uri + ")";
            int colon = uri.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String scheme = uri.substring(0, colon);
            String target = withoutQuery(uri.substring(colon + 1));
            switch (scheme) {
                case "harmonise", "fetch" -> {
                    Optional<ConnectorDescriptor> descriptor = connectors.find(target);
                    if (descriptor.isEmpty()) {
                        problems.add(where + ": unknown connector '" + target + "' (known: "
                                + connectors.all().stream().map(ConnectorDescriptor::id).sorted()
                                .collect(Collectors.joining(", ")) + ")");
                    } else {
                        current = descriptor.get();
                    }
                }
                case "warehouse" -> {
                    Optional<WarehouseTable> table = WarehouseTable.byName(target);
                    if (table.isEmpty()) {
                        problems.add(where + ": unknown table '" + target + "' (valid: " + Arrays.stream(WarehouseTable.values())
                                .map(WarehouseTable::tableName).collect(Collectors.joining(", ")) + ")");
                    } else if (current != null && current.table() != table.get()) {
                        problems.add(where + ": connector '" + current.id() + "' makes records of table "
                                + current.table().tableName() + " ($.record of " + (current.file() == null ? "its descriptor"
                                : ConnectorRegistry.display(current.file())) + "), not " + target);
                    }
                }
                default -> {
                    // other components are not Caravan's stages
                }
            }
        }
        return problems;
    }

    private static String withoutQuery(String text) {
        int q = text.indexOf('?');
        String path = q < 0 ? text : text.substring(0, q);
        return path.startsWith("//") ? path.substring(2) : path;
    }
}
