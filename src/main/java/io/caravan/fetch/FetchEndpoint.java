package io.caravan.fetch;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** Holds the options of {@code fetch:}; {@link FetchProducer} does the work. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "fetch", title = "Fetch", syntax = "fetch:connectorId",
        producerOnly = true, category = {Category.HTTP}, remote = true)
class FetchEndpoint extends DefaultEndpoint {
    @UriPath(description = "Id of the API connector descriptor (connectors/*.yaml with a source block)")
    @Metadata(required = true)
    private String connectorId;

    FetchEndpoint(String uri, FetchComponent component) {
        super(uri, component);
    }

    @Override
    public FetchComponent getComponent() {
        return (FetchComponent) super.getComponent();
    }

    public String getConnectorId() {
        return connectorId;
    }

    public void setConnectorId(String connectorId) {
        this.connectorId = connectorId;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        getComponent().engine().spec(getComponent().connectors().get(connectorId)); // a bad source block fails the route now
    }

    @Override
    public Producer createProducer() {
        return new FetchProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("fetch: is a step, not a source: start the route with quartz: and use fetch: in to:");
    }
}
