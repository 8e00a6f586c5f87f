package io.caravan.harmonise;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.stereotype.Component;

/**
 * {@code harmonise:<connector-id>}: reads the message body (a file, a stream, an API answer) with
 * the connector's reader and replaces it with a lazy {@link io.caravan.pipeline.RecordBatch}.
 */
@Component("harmonise")
class HarmoniseComponent extends DefaultComponent {
    private final HarmoniseStep step;

    HarmoniseComponent(HarmoniseStep step) {
        this.step = step;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        step.connector(remaining); // an unknown connector fails when the route starts, not at the first file
        HarmoniseEndpoint endpoint = new HarmoniseEndpoint(uri, this, step);
        endpoint.setConnectorId(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
