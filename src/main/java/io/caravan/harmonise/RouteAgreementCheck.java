package io.caravan.harmonise;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.connector.RouteSteps;
import io.caravan.error.ConfigException;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.spi.Resource;
import org.springframework.stereotype.Component;

/**
 * Refuses a route whose Caravan steps disagree with the connector descriptors and the warehouse
 * contract (see {@link RouteSteps}): a route that sends {@code harmonise:<connector>} to
 * {@code warehouse:<table>} where the descriptor's {@code record:} is another table is a
 * {@link ConfigException} naming the route file, the route and the step. Checked whenever a route
 * is added to Camel, so at start-up and on a reload of a route file.
 *
 * <p>Stateless apart from the registry; thread-safe.
 */
@Component
public class RouteAgreementCheck implements ModelLifecycleStrategy {
    private final ConnectorRegistry connectors;

    RouteAgreementCheck(ConnectorRegistry connectors) {
        this.connectors = connectors;
    }

    @Override
    public void onAddRouteDefinition(RouteDefinition route) {
        List<String> problems = problems(connectors, route);
        if (!problems.isEmpty()) {
            throw new ConfigException(ConfigException.Code.INVALID, "routes", problems);
        }
    }

    /** Each problem of the route as {@code <file>: route '<id>' step <n> (to: <uri>): <problem>}. */
    public static List<String> problems(ConnectorRegistry connectors, RouteDefinition route) {
        String prefix = file(route.getResource()) + ": route '" + route.getRouteId() + "' ";
        return RouteSteps.problems(connectors, toUris(route)).stream().map(p -> prefix + p).toList();
    }

    /** The endpoint URIs of a route's {@code to:} steps, in order, nested steps included. */
    public static List<String> toUris(RouteDefinition route) {
        List<String> uris = new ArrayList<>();
        collect(route.getOutputs(), uris);
        return uris;
    }

    private static void collect(List<ProcessorDefinition<?>> outputs, List<String> uris) {
        for (ProcessorDefinition<?> output : outputs) {
            if (output instanceof ToDefinition to) {
                uris.add(to.getEndpointUri());
            }
            collect(output.getOutputs(), uris);
        }
    }

    private static String file(Resource resource) {
        if (resource == null || resource.getLocation() == null) {
            return "(route)";
        }
        String location = resource.getLocation();
        int colon = location.indexOf(':');
        return colon > 1 && location.substring(0, colon).matches("[a-z]+") ? location.substring(colon + 1) : location;
    }

    @Override
    public void onRemoveRouteDefinition(RouteDefinition route) {
        // nothing to undo
    }

    @Override
    public void onAddRouteTemplateDefinition(RouteTemplateDefinition template) {
        // templates are checked when a route is made from them
    }

    @Override
    public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition template) {
        // nothing to undo
    }
}
