package io.caravan.fetch;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.ingest.PageSource;
import io.caravan.schedule.ConnectorState;
import io.caravan.schedule.ConnectorStates;
import java.io.IOException;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The first page of an API connector's next sync, for a preview: fetched from where the connector's
 * {@code source:} block points (the sandbox in the embedded default, the partner elsewhere) after the
 * stored watermark, through the same host guard, retries and OAuth2 client as a sync run.
 *
 * <p>Contract. Read-only: it takes no run lock, stores no watermark or cursor and never asks for a
 * second page. The returned source is single use and must be closed. Thread-safe.
 */
@Component
public class FirstPage {
    private final ConnectorRegistry connectors;
    private final FetchEngine engine;
    private final ConnectorStates states;

    FirstPage(ConnectorRegistry connectors, FetchEngine engine, ConnectorStates states) {
        this.connectors = connectors;
        this.engine = engine;
        this.states = states;
    }

    /** Whether the connector reads an API (has a {@code source:} block). */
    public boolean isApi(String connectorId) {
        return connectors.find(connectorId).map(c -> c.source() != null && !c.source().isMissingNode()
                && !c.source().isNull() && !c.source().isEmpty()).orElse(false);
    }

    /** Where the connector's pages come from, for messages: the URL without query or credentials. */
    public String displayUrl(String connectorId) {
        return engine.spec(connectors.get(connectorId)).displayUrl();
    }

    /** The connector's first page after its stored watermark. */
    public PageSource open(String connectorId) {
        ConnectorDescriptor connector = connectors.get(connectorId);
        String watermark = states.find(connector.id()).map(ConnectorState::watermark).orElse(null);
        return new OnlyFirst(engine.open(connector, watermark));
    }

    private static final class OnlyFirst implements PageSource {
        private final PageSource pages;
        private boolean served;

        OnlyFirst(PageSource pages) {
            this.pages = pages;
        }

        @Override
        public Set<String> capturePaths() {
            return pages.capturePaths();
        }

        @Override
        public Page next(PageResult previous) throws IOException {
            if (served) {
                return null;
            }
            served = true;
            return pages.next(previous);
        }

        @Override
        public void close() throws IOException {
            pages.close();
        }

        @Override
        public String toString() {
            return pages.toString();
        }
    }
}
