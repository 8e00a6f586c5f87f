package io.caravan.harmonise;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** Holds the options of {@code harmonise:}; {@link HarmoniseProducer} does the work. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "harmonise", title = "Harmonise", syntax = "harmonise:connectorId",
        producerOnly = true, category = {Category.TRANSFORMATION}, remote = false)
class HarmoniseEndpoint extends DefaultEndpoint {
    @UriPath(description = "Id of the connector descriptor (connectors/*.yaml) that maps this source")
    @Metadata(required = true)
    private String connectorId;

    private final HarmoniseStep step;

    HarmoniseEndpoint(String uri, HarmoniseComponent component, HarmoniseStep step) {
        super(uri, component);
        this.step = step;
    }

    public String getConnectorId() {
        return connectorId;
    }

    public void setConnectorId(String connectorId) {
        this.connectorId = connectorId;
    }

    @Override
    public Producer createProducer() {
        return new HarmoniseProducer(this, step);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("harmonise: is a step, not a source: use it in to:");
    }
}
