package io.caravan.pseudonymise;

import io.caravan.ledger.Ledger;
import java.nio.file.Path;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.FileEndpoint;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archives what a file route consumed as soon as its exchange is done. Camel fires the exchange's
 * completed (or failed) event after the exchange's on-completions, so the file consumer has moved
 * the file to {@code .done/} or {@code .failed/} by then (after the warehouse commit); this sweeps
 * that inbox's {@code .done/} and {@code .failed/} into the {@link Archive}, in the consumer's
 * thread, before its next poll. At start it sweeps every inbox under the SFTP root, so a plain file
 * a crash left behind is archived too. Routes need no change: any {@code file:} route keeps its
 * {@code move}/{@code moveFailed}. A failure to archive is logged (class only) and retried by the
 * next sweep; it never fails the exchange.
 */
final class ArchivingNotifier extends EventNotifierSupport {
    private static final Logger LOG = LoggerFactory.getLogger(ArchivingNotifier.class);

    private final Archive archive;
    private final Path sftpRoot;

    ArchivingNotifier(Archive archive, Path sftpRoot) {
        this.archive = archive;
        this.sftpRoot = sftpRoot;
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        try {
            int archived = archive.sweepAll(sftpRoot);
            if (archived > 0) {
                LOG.info("Archived {} consumed file(s) left in plain text by an earlier run", archived);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not sweep the inboxes for unarchived files ({})", e.getClass().getSimpleName());
        }
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeCompletedEvent || event instanceof CamelEvent.ExchangeFailedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
        Endpoint from = exchange.getFromEndpoint();
        if (!(from instanceof FileEndpoint file)) {
            return;
        }
        try {
            archive.sweep(file.getFile().toPath(), exchange.getFromRouteId(),
                    exchange.getIn().getHeader(Ledger.BATCH_ID_HEADER, String.class),
                    exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class));
        } catch (RuntimeException e) {
            LOG.warn("Route {}: could not archive the consumed file yet ({}); the next sweep retries",
                    exchange.getFromRouteId(), e.getClass().getSimpleName());
        }
    }
}
