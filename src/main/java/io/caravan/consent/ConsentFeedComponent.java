package io.caravan.consent;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code consent-feed:<feed id>}: a sink step that turns the file in the body into consent events
 * (see {@link ConsentFeedSink}); feeds come from {@code config/consent-feeds.yaml}. An unknown
 * feed fails when the route starts.
 */
class ConsentFeedComponent extends DefaultComponent {
    private final ConsentFeeds feeds;
    private final ConsentFeedSink sink;

    ConsentFeedComponent(ConsentFeeds feeds, ConsentFeedSink sink) {
        this.feeds = feeds;
        this.sink = sink;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        ConsentFeed feed = feeds.find(remaining).orElseThrow(() -> new IllegalArgumentException(
                "consent-feed:" + remaining + ": unknown consent feed (config/consent-feeds.yaml defines " + feeds.ids() + ")"));
        ConsentFeedEndpoint endpoint = new ConsentFeedEndpoint(uri, this, feed, sink);
        endpoint.setFeed(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
