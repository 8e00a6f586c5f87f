package io.caravan.lineage;

import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The lineage kept in the database (viewer): {@code GET /api/lineage/datasets} lists, per dataset,
 * where its rows came from (the runs that wrote it and their inputs) and where they went (the runs
 * that read it and their outputs); {@code GET /api/lineage/events?job=&limit=} the newest events.
 */
@RestController
@ConditionalOnProperty(name = "caravan.lineage.enabled", havingValue = "true", matchIfMissing = true)
class LineageController {
    private final LineageStore store;

    LineageController(LineageStore store) {
        this.store = store;
    }

    @GetMapping("/api/lineage/datasets")
    List<LineageStore.DatasetLineage> datasets() {
        return store.datasets();
    }

    @GetMapping("/api/lineage/events")
    List<Map<String, Object>> events(@RequestParam(required = false) String job,
                                     @RequestParam(defaultValue = "50") int limit) {
        return store.events(job, Math.max(1, Math.min(limit, 500)));
    }
}
