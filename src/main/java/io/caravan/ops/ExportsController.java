package io.caravan.ops;

import io.caravan.api.ApiException;
import io.caravan.deliver.Exporter;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/exports?partner=&agreement=&status=} (viewer): recent exports, newest first, at
 * most {@code limit} (default 100, at most 1000). {@code POST /api/agreements/{id}/run}
 * (operator): starts an export now, {@code 202} with {@code exportId}; an unknown agreement is
 * recorded as a refused export and answered {@code 404}; an expired one or one already running
 * {@code 409}, both naming the export id.
 */
@RestController
class ExportsController {
    private final ObjectProvider<Exporter> exporters;

    /** The exporter is looked up per call, so the ops API also runs in contexts without exports. */
    ExportsController(ObjectProvider<Exporter> exporters) {
        this.exporters = exporters;
    }

    private Exporter exporter() {
        Exporter exporter = exporters.getIfAvailable();
        if (exporter == null) {
            throw ApiException.notFound("exports are not configured in this application");
        }
        return exporter;
    }

    @GetMapping("/api/exports")
    List<Exporter.ExportRecord> exports(@RequestParam(name = "partner", required = false) String partner,
                                        @RequestParam(name = "agreement", required = false) String agreement,
                                        @RequestParam(name = "status", required = false) String status,
                                        @RequestParam(name = "limit", defaultValue = "100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw ApiException.badRequest("limit must be between 1 and 1000", "limit");
        }
        return exporter().recent(partner, agreement, status, limit);
    }

    @PostMapping("/api/agreements/{id}/run")
    ResponseEntity<Map<String, String>> run(@PathVariable("id") String id) {
        Exporter exporter = exporter();
        boolean known = exporter.agreements().find(id).isPresent();
        String exportId = exporter.start(id);
        if (!known) {
            throw ApiException.notFound("no agreement with this id; export " + exportId + " refused");
        }
        Exporter.ExportRecord record = exporter.recent(null, id, null, 5).stream()
                .filter(r -> r.exportId().equals(exportId)).findFirst().orElse(null);
        if (record != null && "refused".equals(record.status())) {
            throw ApiException.conflict("export " + exportId + " refused: " + record.error());
        }
        return ResponseEntity.accepted().body(Map.of("exportId", exportId));
    }
}
