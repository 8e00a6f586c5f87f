package io.caravan.fetch;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.ledger.Ledger;
import io.caravan.schedule.ConnectorLocks;
import io.caravan.schedule.ConnectorStates;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.stereotype.Component;

/**
 * {@code fetch:<connector-id>}: starts one API sync run of a connector whose descriptor has a
 * {@code source:} block, and replaces the body with its pages for {@code harmonise:<connector-id>}.
 * A wrong connector id or source block fails when the route starts.
 */
@Component("fetch")
class FetchComponent extends DefaultComponent {
    private final ConnectorRegistry connectors;
    private final FetchEngine engine;
    private final ConnectorStates states;
    private final ConnectorLocks locks;
    private final Ledger ledger;

    FetchComponent(ConnectorRegistry connectors, FetchEngine engine, ConnectorStates states, ConnectorLocks locks, Ledger ledger) {
        this.connectors = connectors;
        this.engine = engine;
        this.states = states;
        this.locks = locks;
        this.ledger = ledger;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        connectors.get(remaining);
        FetchEndpoint endpoint = new FetchEndpoint(uri, this);
        endpoint.setConnectorId(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    ConnectorRegistry connectors() { return connectors; }
    FetchEngine engine() { return engine; }
    ConnectorStates states() { return states; }
    ConnectorLocks locks() { return locks; }
    Ledger ledger() { return ledger; }
}
