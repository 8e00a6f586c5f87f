package io.caravan.pseudonymise;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.stereotype.Component;

/**
 * {@code pseudonymise:<policyId>}: applies a policy of {@code config/policies.yaml} to the
 * {@link io.caravan.pipeline.RecordBatch} body. An unknown policy id fails when the endpoint is
 * created, i.e. when the route starts.
 */
@Component("pseudonymise")
class PseudonymiseComponent extends DefaultComponent {
    private final Pseudonymisers pseudonymisers;

    PseudonymiseComponent(Pseudonymisers pseudonymisers) {
        this.pseudonymisers = pseudonymisers;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Pseudonymiser pseudonymiser = pseudonymisers.forPolicy(remaining).orElseThrow(() -> new IllegalArgumentException(
                "unknown privacy policy '" + remaining + "' in pseudonymise:" + remaining
                        + " (policies: " + pseudonymisers.policyIds() + ")"));
        PseudonymiseEndpoint endpoint = new PseudonymiseEndpoint(uri, this, pseudonymiser);
        endpoint.setPolicyId(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
