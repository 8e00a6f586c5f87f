package io.caravan.ops;

import io.caravan.api.ApiException;
import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.Ledger;
import io.caravan.ledger.Quarantine;
import io.caravan.ledger.Rejection;
import java.util.List;
import java.util.Set;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/batches?route=&partner=&status=&limit=} (viewer): recent batches, newest first;
 * an empty filter matches everything; {@code status} is {@code running}, {@code completed},
 * {@code failed}, {@code quarantined}, {@code released} or {@code rejected}; {@code limit} 1 to {@code caravan.ops.max-batch-limit} (default 100).
 * {@code GET /api/batches/{id}} (viewer): one batch with its rejections, warnings, unmapped
 * source columns and, for a batch the gates quarantined, its quarantine (reasons, state, decision), or 404.
 */
@RestController
@RequestMapping("/api/batches")
class BatchesController {
    private static final Set<String> STATUSES = Set.of(BatchSummary.RUNNING, BatchSummary.COMPLETED, BatchSummary.FAILED,
            BatchSummary.QUARANTINED, BatchSummary.RELEASED, BatchSummary.REJECTED);
    private static final int MAX_FILTER_LENGTH = 200;

    private final Ledger ledger;
    private final OpsProperties ops;

    BatchesController(Ledger ledger, OpsProperties ops) {
        this.ledger = ledger;
        this.ops = ops;
    }

    /**
     * One batch with (at most {@code caravan.ops.max-rejections} of) its rejections and warnings,
     * and the names of the source columns its descriptor does not map (at most 50, never values).
     */
    record BatchDetail(BatchSummary batch, List<Rejection> rejections, List<Rejection> warnings,
                       List<String> unmappedColumns, Quarantine quarantine) {
    }

    @GetMapping
    List<BatchSummary> batches(@RequestParam(name = "route", required = false) String route,
                               @RequestParam(name = "partner", required = false) String partner,
                               @RequestParam(name = "status", required = false) String status,
                               @RequestParam(name = "limit", defaultValue = "100") int limit) {
        String statusFilter = filter(status, "status");
        if (statusFilter != null && !STATUSES.contains(statusFilter)) {
            throw ApiException.badRequest("status must be running, completed, failed, quarantined, released or rejected",
                    "status");
        }
        if (limit < 1 || limit > ops.maxBatchLimit()) {
            throw ApiException.badRequest("limit must be between 1 and " + ops.maxBatchLimit(), "limit");
        }
        return ledger.recent(filter(route, "route"), filter(partner, "partner"), statusFilter, limit);
    }

    @GetMapping("/{id}")
    BatchDetail batch(@PathVariable("id") String id) {
        if (id.length() > MAX_FILTER_LENGTH) {
            throw ApiException.badRequest("batch id is too long", "id");
        }
        BatchSummary batch = ledger.find(id).orElseThrow(() -> ApiException.notFound("no such batch"));
        return new BatchDetail(batch, ledger.rejections(id, ops.maxRejections()), ledger.warnings(id, ops.maxRejections()),
                ledger.unmappedColumns(id), ledger.quarantineOf(id).orElse(null));
    }

    /** A blank filter is no filter. */
    private static String filter(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > MAX_FILTER_LENGTH) {
            throw ApiException.badRequest(name + " is too long", name);
        }
        return value.strip();
    }
}
