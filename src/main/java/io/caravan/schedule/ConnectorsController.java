package io.caravan.schedule;

import tools.jackson.databind.JsonNode;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.api.ApiException;
import java.security.Principal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/connectors} (viewer): every connector with its schedule and, for API connectors,
 * its incremental state and its drift and quality gates (as declared, defaults filled in). {@code GET /api/connectors/{id}/state} (viewer): one connector's state.
 * {@code PUT /api/connectors/{id}/state} (operator): sets the state to re-sync a period,
 * {@code {"watermark": "2026-11-01T00:00:00Z", "cursor": null}} (null watermark: from the
 * connector's initial value); the change is audited with the caller as actor. Bad input is a
 * {@code 400} naming the field; an unknown connector {@code 404}; a connector without an API source
 * {@code 409}. Watermarks are partner timestamps, never personal data.
 */
@RestController
@RequestMapping("/api/connectors")
class ConnectorsController {
    private static final Set<String> STATE_FIELDS = Set.of("watermark", "cursor");
    private static final int MAX_LENGTH = 512;

    private final ConnectorRegistry connectors;
    private final ConnectorStates states;

    ConnectorsController(ConnectorRegistry connectors, ConnectorStates states) {
        this.connectors = connectors;
        this.states = states;
    }

    /** One connector as the API shows it. */
    record ConnectorView(String id, String title, String partner, String record, String format, String schedule,
                         boolean api, StateView state, io.caravan.connector.GateSpec gates) {
    }

    /** A connector's incremental state. */
    record StateView(String connectorId, String watermark, String cursor, Instant updatedAt, String updatedBy) {
        static StateView of(String id, ConnectorState s) {
            return s == null ? new StateView(id, null, null, null, null)
                    : new StateView(id, s.watermark(), s.cursor(), s.updatedAt(), s.updatedBy());
        }
    }

    @GetMapping
    List<ConnectorView> list() {
        return connectors.all().stream().sorted(Comparator.comparing(ConnectorDescriptor::id))
                .map(c -> new ConnectorView(c.id(), c.title(), c.partner(), c.table().tableName(), c.format().type(),
                        c.schedule(), isApi(c), isApi(c) ? StateView.of(c.id(), states.find(c.id()).orElse(null)) : null,
                        c.gates()))
                .toList();
    }

    @GetMapping("/{id}/state")
    StateView state(@PathVariable("id") String id) {
        ConnectorDescriptor connector = apiConnector(id);
        return StateView.of(connector.id(), states.find(connector.id()).orElse(null));
    }

    @PutMapping("/{id}/state")
    StateView reset(@PathVariable("id") String id, @RequestBody(required = false) JsonNode body, Principal caller) {
        ConnectorDescriptor connector = apiConnector(id);
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("body must be a JSON object with watermark and cursor", null);
        }
        for (Iterator<String> names = body.propertyNames().iterator(); names.hasNext(); ) {
            String name = names.next();
            if (!STATE_FIELDS.contains(name)) {
                throw ApiException.badRequest("unknown field", name);
            }
        }
        if (!body.has("watermark")) {
            throw ApiException.badRequest("required (null starts from the connector's initial watermark)", "watermark");
        }
        String watermark = text(body, "watermark");
        String cursor = text(body, "cursor");
        if (watermark != null && !isTimeOrDate(watermark)) {
            throw ApiException.badRequest("must be an ISO-8601 timestamp with offset or a date", "watermark");
        }
        return StateView.of(connector.id(), states.reset(connector.id(), watermark, cursor, caller.getName()));
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString() || value.asString().isBlank() || value.asString().length() > MAX_LENGTH) {
            throw ApiException.badRequest("must be null or a non-empty string of at most " + MAX_LENGTH + " characters", field);
        }
        return value.asString();
    }

    private static boolean isTimeOrDate(String text) {
        try {
            OffsetDateTime.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            try {
                LocalDate.parse(text);
                return true;
            } catch (DateTimeParseException ex) {
                return false;
            }
        }
    }

    private ConnectorDescriptor apiConnector(String id) {
        ConnectorDescriptor connector = connectors.find(id).orElseThrow(() -> ApiException.notFound("no such connector"));
        if (!isApi(connector)) {
            throw ApiException.conflict("connector has no API source and no incremental state");
        }
        return connector;
    }

    private static boolean isApi(ConnectorDescriptor connector) {
        return connector.source() != null && connector.source().isObject() && connector.source().size() > 0;
    }
}
