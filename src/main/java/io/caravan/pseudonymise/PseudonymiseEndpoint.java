package io.caravan.pseudonymise;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** The options of {@code pseudonymise:<policyId>}; a producer only. */
@UriEndpoint(scheme = "pseudonymise", title = "Pseudonymise", syntax = "pseudonymise:policyId",
        producerOnly = true, remote = false, category = {Category.TRANSFORMATION})
final class PseudonymiseEndpoint extends DefaultEndpoint {
    @UriPath(description = "The id of a policy in config/policies.yaml")
    @Metadata(required = true)
    private String policyId;

    private final Pseudonymiser pseudonymiser;

    PseudonymiseEndpoint(String uri, PseudonymiseComponent component, Pseudonymiser pseudonymiser) {
        super(uri, component);
        this.pseudonymiser = pseudonymiser;
    }

    public String getPolicyId() {
        return policyId;
    }

    public void setPolicyId(String policyId) {
        this.policyId = policyId;
    }

    @Override
    public Producer createProducer() {
        return new PseudonymiseProducer(this, pseudonymiser);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("pseudonymise: is a step of a route; it cannot start one");
    }
}
