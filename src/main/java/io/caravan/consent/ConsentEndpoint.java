package io.caravan.consent;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** The options of {@code consent:<purpose>}; a producer only. */
@UriEndpoint(scheme = "consent", title = "Consent", syntax = "consent:purpose",
        producerOnly = true, remote = false, category = {Category.TRANSFORMATION})
public final class ConsentEndpoint extends DefaultEndpoint {
    @UriPath(description = "A purpose of config/purposes.yaml, e.g. analytics")
    @Metadata(required = true)
    private String purpose;

    @UriParam(defaultValue = "1000", description = "Rows looked up together (one suppression and one consent query per chunk)")
    private int chunkSize = 1000;

    private final Purpose resolved;
    private final ConsentCheck check;
    private final BatchSubjects subjects;

    ConsentEndpoint(String uri, ConsentComponent component, Purpose resolved, ConsentCheck check, BatchSubjects subjects) {
        super(uri, component);
        this.resolved = resolved;
        this.check = check;
        this.subjects = subjects;
    }

    public String getPurpose() {
        return purpose;
    }

    public void setPurpose(String purpose) {
        this.purpose = purpose;
    }

    public int getChunkSize() {
        return chunkSize;
    }

    public void setChunkSize(int chunkSize) {
        if (chunkSize < 1 || chunkSize > 10_000) {
            throw new IllegalArgumentException("chunkSize must be between 1 and 10000");
        }
        this.chunkSize = chunkSize;
    }

    @Override
    public Producer createProducer() {
        return new ConsentProducer(this, resolved, check, subjects, chunkSize);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("consent: is a step of a route; it cannot start one");
    }
}
