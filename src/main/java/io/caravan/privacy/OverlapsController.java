package io.caravan.privacy;

import io.caravan.api.ApiException;
import io.caravan.audit.AuditTrail;
import io.caravan.deliver.OverlapException;
import io.caravan.deliver.Overlaps;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Clean-room overlap ({@link Overlaps}). {@code POST /api/overlaps} (operator)
 * {@code {"audience": "<partner>:<name>", "with": "warehouse" | "<partner>:<name>", "table"?,
 * "segmentBy"?: "model"|"region"|"month", "epsilon"?, "minGroupSize"?}} answers aggregates only:
 * overlap, audience size and match rate, per segment where asked, cells under the minimum group size
 * marked {@code suppressed} without figures; audited as {@code overlap_query} (refusals as
 * {@code overlap_refused}) with the query's parameters and counts of cells, never figures of people.
 * {@code 400} names the field, {@code 404} an unknown audience, {@code 409} a spent budget.
 * {@code GET /api/overlaps/audiences} (viewer): the uploaded audiences (counts) and the pairs' budgets.
 */
@RestController
class OverlapsController {
    private final Overlaps overlaps;
    private final AuditTrail audit;

    OverlapsController(Overlaps overlaps, AuditTrail audit) {
        this.overlaps = overlaps;
        this.audit = audit;
    }

    @PostMapping("/api/overlaps")
    Overlaps.Answer ask(@RequestBody(required = false) Overlaps.Query query) {
        String actor = Actors.current("api");
        Overlaps.Answer answer;
        try {
            answer = overlaps.ask(query, actor);
        } catch (OverlapException e) {
            if (e.kind() == OverlapException.Kind.REFUSED) {
                audit.record(actor, "overlap_refused", query == null ? null : query.audience(), detail(query, e.getMessage()));
                throw new ApiException(HttpStatus.CONFLICT, e.getMessage(), e.field());
            }
            if (e.kind() == OverlapException.Kind.UNKNOWN) {
                throw new ApiException(HttpStatus.NOT_FOUND, e.getMessage(), e.field());
            }
            throw ApiException.badRequest(e.getMessage(), e.field());
        }
        Map<String, Object> detail = detail(query, null);
        detail.put("queryId", answer.queryId());
        detail.put("cells", answer.cells().size());
        detail.put("cellsSuppressed", answer.cells().stream().filter(Overlaps.Cell::suppressed).count());
        detail.put("epsilonRemaining", answer.budget().remaining());
        audit.record(actor, "overlap_query", answer.audience(), detail);
        return answer;
    }

    @GetMapping("/api/overlaps/audiences")
    Map<String, Object> audiences() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("audiences", overlaps.audiences());
        body.put("budgets", overlaps.budgets());
        body.put("minGroupSize", overlaps.settings().minGroupSize());
        body.put("epsilonBudget", overlaps.settings().epsilonBudget());
        return body;
    }

    private static Map<String, Object> detail(Overlaps.Query query, String refusal) {
        Map<String, Object> detail = new LinkedHashMap<>();
        if (query != null) {
            detail.put("with", query.with() == null ? Overlaps.WAREHOUSE : query.with());
            detail.put("segmentBy", query.segmentBy());
            detail.put("epsilon", query.epsilon());
            detail.put("minGroupSize", query.minGroupSize());
        }
        if (refusal != null) {
            detail.put("reason", refusal);
        }
        return detail;
    }
}
