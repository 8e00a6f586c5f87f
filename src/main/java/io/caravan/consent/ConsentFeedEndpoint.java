package io.caravan.consent;

import io.caravan.ledger.Ledger;
import io.caravan.ledger.BatchSummary;
import java.io.InputStream;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/** The options of {@code consent-feed:<feed>}; a producer only. */
@UriEndpoint(scheme = "consent-feed", title = "Consent feed", syntax = "consent-feed:feed",
        producerOnly = true, remote = false, category = {Category.TRANSFORMATION})
public final class ConsentFeedEndpoint extends DefaultEndpoint {
    /** Header with the batch id, as the harmonise step sets it. */

    @UriPath(description = "A feed of config/consent-feeds.yaml, e.g. preference-centre-csv")
    @Metadata(required = true)
    private String feed;

    private final ConsentFeed resolved;
    private final ConsentFeedSink sink;

    ConsentFeedEndpoint(String uri, ConsentFeedComponent component, ConsentFeed resolved, ConsentFeedSink sink) {
        super(uri, component);
        this.resolved = resolved;
        this.sink = sink;
    }

    public String getFeed() {
        return feed;
    }

    public void setFeed(String feed) {
        this.feed = feed;
    }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) throws Exception {
                String source = exchange.getIn().getHeader(Exchange.FILE_NAME, "unknown", String.class);
                Long length = exchange.getIn().getHeader(Exchange.FILE_LENGTH, Long.class);
                InputStream in = exchange.getIn().getMandatoryBody(InputStream.class);
                BatchSummary summary = sink.ingest(resolved, exchange.getFromRouteId(), source, in, length);
                exchange.getIn().setHeader(Ledger.BATCH_ID_HEADER, summary.batchId());
                exchange.getIn().setBody(summary);
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("consent-feed: is a step of a route; it cannot start one");
    }
}
