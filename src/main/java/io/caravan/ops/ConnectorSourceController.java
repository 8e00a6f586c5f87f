package io.caravan.ops;

import io.caravan.api.ApiException;
import io.caravan.audit.AuditTrail;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.fetch.SourcePreviews;
import io.caravan.fetch.SourceViews;
import java.security.Principal;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/connectors/{id}/source} (viewer): the API connector's source block as a sync
 * would use it — URLs, paging, auth kind, header names, certificate file paths — with every secret
 * masked ({@link SourceViews}). {@code POST /api/connectors/{id}/check} (operator): a connection check
 * ({@link SourcePreviews}) — the requests of a sync, up to 1000 rows read, nothing written, the
 * state unchanged; answers counts, column names and the reason of a failure, never a value; audited
 * as {@code connector.check}. An unknown connector is a {@code 404}, one without an API source a
 * {@code 409}. The fetch beans are looked up per call, so the ops API also runs in contexts without them.
 */
@RestController
class ConnectorSourceController {
    private final ObjectProvider<ConnectorRegistry> connectors;
    private final ObjectProvider<SourceViews> views;
    private final ObjectProvider<SourcePreviews> previews;
    private final ObjectProvider<AuditTrail> audit;

    ConnectorSourceController(ObjectProvider<ConnectorRegistry> connectors, ObjectProvider<SourceViews> views,
                              ObjectProvider<SourcePreviews> previews, ObjectProvider<AuditTrail> audit) {
        this.connectors = connectors;
        this.views = views;
        this.previews = previews;
        this.audit = audit;
    }

    @GetMapping("/api/connectors/{id}/source")
    Map<String, Object> source(@PathVariable("id") String id) {
        return required(views).view(apiConnector(id));
    }

    @PostMapping("/api/connectors/{id}/check")
    SourcePreviews.Preview check(@PathVariable("id") String id, Principal caller) {
        ConnectorDescriptor connector = apiConnector(id);
        SourcePreviews.Preview preview = required(previews).preview(connector);
        required(audit).record(caller.getName(), "connector.check", connector.id(),
                Map.of("ok", preview.ok(), "rows", preview.rows()));
        return preview;
    }

    private ConnectorDescriptor apiConnector(String id) {
        ConnectorDescriptor connector = required(connectors).find(id)
                .orElseThrow(() -> ApiException.notFound("no such connector"));
        if (connector.source() == null || !connector.source().isObject() || connector.source().isEmpty()) {
            throw ApiException.conflict("connector has no API source");
        }
        return connector;
    }

    private static <T> T required(ObjectProvider<T> provider) {
        T bean = provider.getIfAvailable();
        if (bean == null) {
            throw ApiException.notFound("API connectors are not configured in this application");
        }
        return bean;
    }
}
