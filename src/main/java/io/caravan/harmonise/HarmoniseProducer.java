package io.caravan.harmonise;

import io.caravan.error.FailureReasons;
import io.caravan.ingest.PageSource;
import io.caravan.ledger.Ledger;
import io.caravan.pipeline.RecordBatch;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Opens the batch for the exchange's body (a stream, or a {@link PageSource} from {@code fetch:}) and makes sure it ends well: when the exchange fails
 * anywhere later in the route, the batch is marked failed in the ledger (with a reason naming no
 * value) and its source is closed; when it completes, the source is closed.
 */
class HarmoniseProducer extends DefaultProducer {
    /** Header a route may set to name its source (e.g. the API URL without credentials). */
    static final String SOURCE = "CaravanSource";

    private final HarmoniseStep step;

    HarmoniseProducer(HarmoniseEndpoint endpoint, HarmoniseStep step) {
        super(endpoint);
        this.step = step;
    }

    /** A consumed file can be read twice (the gates' pre-pass, then the run); a stream cannot. */
    private static Supplier<InputStream> rereadable(Object body) {
        if (body instanceof GenericFile<?> generic && generic.getFile() instanceof File file) {
            return () -> {
                try {
                    return new FileInputStream(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not read " + file.getName() + " again", e);
                }
            };
        }
        return null;
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
        Object body = exchange.getIn().getBody();
        if (body instanceof PageSource pages) {
            batch = step.open(getEndpoint().getConnectorId(), exchange.getFromRouteId(), source, pages);
        } else {
            Long length = exchange.getIn().getHeader(Exchange.FILE_LENGTH, Long.class);
            Supplier<InputStream> reread = rereadable(body);
            InputStream in = exchange.getIn().getMandatoryBody(InputStream.class);
            HarmoniseStep.Opened opened = step.open(getEndpoint().getConnectorId(), exchange.getFromRouteId(), source, in,
                    length, reread);
            if (opened.quarantined()) {
                // the gates held the file back: the ledger says so; the route ends here, successfully, so the
                // file is moved to .done/ under the batch's id and kept encrypted by the archive
                exchange.getIn().setHeader(Ledger.BATCH_ID_HEADER, opened.context().batchId());
                exchange.getIn().setBody(null);
                exchange.setRouteStop(true);
                return;
            }
            batch = opened.batch();
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
