package io.caravan.ops;

import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/routes} (viewer): the partner flows; {@code POST /api/routes/{id}/run}
 * (operator): run one now, {@code 202} with the batch ids opened so far, {@code 404} for an
 * unknown route, {@code 409} when it is stopped or already running.
 */
@RestController
@RequestMapping("/api/routes")
class RoutesController {
    private final RouteCatalog catalog;
    private final RouteTrigger trigger;

    RoutesController(RouteCatalog catalog, RouteTrigger trigger) {
        this.catalog = catalog;
        this.trigger = trigger;
    }

    @GetMapping
    List<RouteView> routes() {
        return catalog.partnerFlows();
    }

    @PostMapping("/{id}/run")
    ResponseEntity<RouteTrigger.RunStarted> run(@PathVariable("id") String id) {
        return ResponseEntity.accepted().body(trigger.run(id));
    }
}
