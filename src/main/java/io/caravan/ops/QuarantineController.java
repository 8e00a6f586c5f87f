package io.caravan.ops;

import io.caravan.api.ApiException;
import io.caravan.gate.QuarantineDecisions;
import io.caravan.ledger.BatchSummary;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * An operator's decision about a batch the drift and quality gates quarantined (audited):
 * {@code POST /api/batches/{id}/release} hands the kept file back to its route, which runs it as a
 * normal batch: {@code 200} with the new batch id, or {@code 202} when the route has not opened it
 * yet. {@code POST /api/batches/{id}/reject} with {@code {"reason": "..."}} rejects the file; the
 * reason reaches the partner's acknowledgement. {@code 404} for an unknown batch, {@code 409} for
 * one not held in quarantine (or whose kept file is gone), {@code 400} without a reason.
 */
@RestController
class QuarantineController {
    private final ObjectProvider<QuarantineDecisions> decisions;

    /** The decisions are looked up per call, so the ops API also runs in contexts without the gates. */
    QuarantineController(ObjectProvider<QuarantineDecisions> decisions) {
        this.decisions = decisions;
    }

    private QuarantineDecisions decisions() {
        QuarantineDecisions found = decisions.getIfAvailable();
        if (found == null) {
            throw ApiException.notFound("quarantine decisions are not configured in this application");
        }
        return found;
    }

    /** The body of a rejection. */
    record Rejection(String reason) {
    }

    @PostMapping("/api/batches/{id}/release")
    ResponseEntity<QuarantineDecisions.Released> release(@PathVariable("id") String batchId) {
        QuarantineDecisions.Released released = decisions().release(batchId, actor());
        return ResponseEntity.status(released.releasedAs() == null ? HttpStatus.ACCEPTED : HttpStatus.OK).body(released);
    }

    @PostMapping("/api/batches/{id}/reject")
    BatchSummary reject(@PathVariable("id") String batchId, @RequestBody(required = false) Rejection body) {
        return decisions().reject(batchId, actor(), body == null ? null : body.reason());
    }

    private static String actor() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication == null || authentication.getName() == null ? "system:api" : authentication.getName();
    }
}
