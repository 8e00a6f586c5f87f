package io.caravan.pseudonymise;

import io.caravan.pipeline.RecordBatch;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/** Wraps the {@link RecordBatch} body with the pseudonymiser; never reads a row itself. */
final class PseudonymiseProducer extends DefaultProducer {
    private final Pseudonymiser pseudonymiser;

    PseudonymiseProducer(PseudonymiseEndpoint endpoint, Pseudonymiser pseudonymiser) {
        super(endpoint);
        this.pseudonymiser = pseudonymiser;
    }

    @Override
    public void process(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        if (!(body instanceof RecordBatch batch)) {
            throw new IllegalArgumentException("pseudonymise:" + pseudonymiser.policyId()
                    + " expects a RecordBatch body (from a harmonise step), got "
                    + (body == null ? "no body" : body.getClass().getName()));
        }
        exchange.getIn().setBody(pseudonymiser.pseudonymise(batch));
    }
}
