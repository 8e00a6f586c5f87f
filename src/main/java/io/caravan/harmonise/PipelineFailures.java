package io.caravan.harmonise;

import io.caravan.ledger.Ledger;
import io.caravan.error.FailureReasons;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Logs a failed batch once, from the shared route configuration {@code pipeline-errors}: the
 * batch id, the route, the source and a reason that names no value ({@link FailureReasons}).
 * Stack traces are not logged, since a library's exception message may quote data.
 */
@Component("pipelineFailures")
public class PipelineFailures {
    private static final Logger LOG = LoggerFactory.getLogger("io.caravan.batch");

    public void log(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure == null) {
            failure = exchange.getException();
        }
        LOG.warn("batch {} route={} source={} failed: {}; the source is moved aside",
                exchange.getIn().getHeader(Ledger.BATCH_ID_HEADER, "(not opened)", String.class),
                exchange.getFromRouteId(),
                exchange.getIn().getHeader(Exchange.FILE_NAME, "-", String.class),
                FailureReasons.of(failure));
    }
}
