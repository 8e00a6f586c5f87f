package io.caravan.fetch;

import io.caravan.ledger.Ledger;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.ledger.BatchSummary;
import io.caravan.schedule.ConnectorLocks;
import io.caravan.schedule.ConnectorState;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one sync run: takes the connector's run lock (when another run holds it, this exchange
 * stops here and nothing is fetched), reads the stored watermark, and sets the body to the run's
 * pages (nothing is fetched until {@code harmonise:} and the warehouse drain them) and header
 * {@code CaravanSource} to the URL without query or credentials. When the exchange completes and
 * its batch ({@value io.caravan.ledger.Ledger#BATCH_ID_HEADER}) is {@code completed} in the ledger — that is, committed — the
 * new watermark is stored; on any failure the state stays where it was, and a failure to fetch
 * (host refused, budget exhausted) is the batch's reason in the ledger. The lock is released when
 * the exchange ends either way. Logs connector ids and counts only.
 */
final class FetchProducer extends DefaultProducer {
    private static final Logger LOG = LoggerFactory.getLogger(FetchProducer.class);
    static final String SOURCE = "CaravanSource";

    FetchProducer(FetchEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public FetchEndpoint getEndpoint() {
        return (FetchEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) {
        FetchComponent component = getEndpoint().getComponent();
        ConnectorDescriptor connector = component.connectors().get(getEndpoint().getConnectorId());
        Optional<ConnectorLocks.Held> lock = component.locks().tryAcquire(connector.id());
        if (lock.isEmpty()) {
            LOG.info("sync of {} not started: a run of it is already in progress", connector.id());
            exchange.setRouteStop(true);
            exchange.getIn().setBody(null);
            return;
        }
        ConnectorLocks.Held held = lock.get();
        try {
            String watermark = component.states().find(connector.id()).map(ConnectorState::watermark).orElse(null);
            ApiPageSource pages = component.engine().open(connector, watermark);
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onComplete(Exchange done) {
                    try {
                        String batchId = done.getIn().getHeader(Ledger.BATCH_ID_HEADER, String.class);
                        boolean committed = batchId != null && component.ledger().find(batchId)
                                .map(BatchSummary::status).filter("completed"::equals).isPresent();
                        Optional<String> next = pages.nextWatermark();
                        if (committed && next.isPresent()) {
                            component.states().advance(connector.id(), next.get(), pages.lastCursor(), "sync " + batchId,
                                    (a, b) -> ApiPageSource.compare(a, b) > 0);
                        }
                    } finally {
                        release(pages, held);
                    }
                }

                @Override
                public void onFailure(Exchange failed) {
                    try {
                        String batchId = failed.getIn().getHeader(Ledger.BATCH_ID_HEADER, String.class);
                        if (batchId != null && pages.failure() != null) {
                            component.ledger().fail(batchId, pages.failure().getMessage()); // the fetch's own reason
                        }
                    } finally {
                        release(pages, held);
                    }
                }

                @Override
                public int getOrder() {
                    return LOWEST; // after harmonise has failed the batch, so the ledger keeps the fetch's reason
                }
            });
            exchange.getIn().setHeader(SOURCE, component.engine().spec(connector).displayUrl());
            exchange.getIn().setBody(pages);
        } catch (RuntimeException e) {
            held.close();
            throw e;
        }
    }

    private static void release(ApiPageSource pages, ConnectorLocks.Held held) {
        try {
            pages.close();
        } finally {
            held.close();
        }
    }
}
