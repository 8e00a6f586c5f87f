package io.caravan.consent;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.stereotype.Component;

/**
 * {@code consent:<purpose>[?chunkSize=1000]}: filters the {@link io.caravan.pipeline.RecordBatch}
 * body by the purpose's legal basis and the suppression list. An unknown purpose fails when the
 * endpoint is created, i.e. when the route starts.
 */
@Component("consent")
class ConsentComponent extends DefaultComponent {
    private final PurposeRegistry purposes;
    private final ConsentCheck check;
    private final BatchSubjects subjects;

    ConsentComponent(PurposeRegistry purposes, ConsentCheck check, BatchSubjects subjects) {
        this.purposes = purposes;
        this.check = check;
        this.subjects = subjects;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Purpose purpose;
        try {
            purpose = purposes.require(remaining);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("consent:" + remaining + ": " + e.getMessage());
        }
        ConsentEndpoint endpoint = new ConsentEndpoint(uri, this, purpose, check, subjects);
        endpoint.setPurpose(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
