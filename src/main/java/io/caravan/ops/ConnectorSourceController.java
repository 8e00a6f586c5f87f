package io.caravan.ops;

import io.caravan.api.ApiException;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.fetch.SourceViews;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/connectors/{id}/source} (viewer): the API connector's source block as a sync
 * would use it — URLs, paging, auth kind, header names, certificate file paths — with every secret
 * masked ({@link SourceViews}). An unknown connector is a {@code 404}, one without an API source a
 * {@code 409}.
 */
@RestController
class ConnectorSourceController {
    private final ConnectorRegistry connectors;
    private final SourceViews views;

    ConnectorSourceController(ConnectorRegistry connectors, SourceViews views) {
        this.connectors = connectors;
        this.views = views;
    }

    @GetMapping("/api/connectors/{id}/source")
    Map<String, Object> source(@PathVariable("id") String id) {
        ConnectorDescriptor connector = connectors.find(id).orElseThrow(() -> ApiException.notFound("no such connector"));
        if (connector.source() == null || !connector.source().isObject() || connector.source().isEmpty()) {
            throw ApiException.conflict("connector has no API source");
        }
        return views.view(connector);
    }
}
