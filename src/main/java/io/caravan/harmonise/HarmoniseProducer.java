package io.caravan.harmonise;

import io.caravan.error.FailureReasons;
import io.caravan.ingest.PageSource;
import io.caravan.ledger.Ledger;
import io.caravan.pipeline.RecordBatch;
import java.io.InputStream;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Opens the batch for the exchange's body (a stream, or a {@link PageSource} from {@code fetch:}) and makes sure it ends well: when the exchange fails
 * anywhere later in the route, the batch is marked failed in the ledger (with a reason naming no
 * value) and its source is closed; when it completes, the source is closed.
 */
class HarmoniseProducer extends DefaultProducer {
    /** Header with the batch id, set for later steps and for the route's caller. */
    /** Header a route may set to name its source (e.g. the API URL without credentials). */
    static final String SOURCE = "CaravanSource";

    private final HarmoniseStep step;

    HarmoniseProducer(HarmoniseEndpoint endpoint, HarmoniseStep step) {
        super(endpoint);
        this.step = step;
    }

    @Override
    public HarmoniseEndpoint getEndpoint() {
        return (HarmoniseEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        String source = exchange.getIn().getHeader(SOURCE, String.class);
        if (source == null) {
            source = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
        }
        if (source == null) {
            source = exchange.getFromEndpoint() == null ? "unknown" : exchange.getFromEndpoint().getEndpointBaseUri();
        }
        RecordBatch batch;
        if (exchange.getIn().getBody() instanceof PageSource pages) {
            batch = step.open(getEndpoint().getConnectorId(), exchange.getFromRouteId(), source, pages);
        } else {
            Long length = exchange.getIn().getHeader(Exchange.FILE_LENGTH, Long.class);
            InputStream in = exchange.getIn().getMandatoryBody(InputStream.class);
            batch = step.open(getEndpoint().getConnectorId(), exchange.getFromRouteId(), source, in, length);
        }
        Ledger ledger = step.ledger();
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                batch.close();
            }

            @Override
            public void onFailure(Exchange failed) {
                try {
                    ledger.fail(batch.context().batchId(), FailureReasons.of(failed.getException()));
                } finally {
                    batch.close();
                }
            }
        });
        exchange.getIn().setHeader(Ledger.BATCH_ID_HEADER, batch.context().batchId());
        exchange.getIn().setBody(batch);
    }
}
