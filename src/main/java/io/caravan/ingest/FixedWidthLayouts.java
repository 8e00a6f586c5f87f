package io.caravan.ingest;

import io.caravan.error.ConfigException;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * Start-up check of every {@code fixed-width} connector's layout ({@code $.format.columns}), so that a
 * wrong layout stops Caravan with the file and path instead of failing the first batch. Stateless.
 */
@Component
class FixedWidthLayouts {

    FixedWidthLayouts(ConnectorRegistry connectors) {
        List<String> problems = problems(connectors.all());
        if (!problems.isEmpty()) {
            throw new ConfigException(ConfigException.Code.INVALID, "connector descriptors", problems);
        }
    }

    /** One {@code file: $.format.columns: problem} line per fixed-width descriptor with an invalid layout. */
    static List<String> problems(Iterable<ConnectorDescriptor> descriptors) {
        List<String> problems = new ArrayList<>();
        for (ConnectorDescriptor d : descriptors) {
            if (d.format().type().equals("fixed-width")) {
                String problem = FixedWidthReaderFactory.layoutProblem(d.format().columns());
                if (problem != null) {
                    problems.add(d.file() + ": $.format.columns: " + problem);
                }
            }
        }
        return problems;
    }
}
