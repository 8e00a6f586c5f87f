package io.caravan.harmonise;

import java.util.List;

/**
 * A connector descriptor or vocabulary file that is wrong: a configuration error, raised at
 * start-up so that Caravan does not start with it. Each problem names the file and the JSON path,
 * e.g. {@code connectors/x.yaml: $.fields.vin.type: unknown type 'vinn'}.
 */
public class ConnectorConfigException extends RuntimeException {
    private final List<String> problems;

    public ConnectorConfigException(List<String> problems) {
        super(problems.size() == 1 ? problems.get(0)
                : problems.size() + " problems in connector descriptors:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
