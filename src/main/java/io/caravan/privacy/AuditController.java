package io.caravan.privacy;

import io.caravan.audit.AuditTrail;
import io.caravan.api.ApiException;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/audit?action=&before=&limit=} (viewer): the audit trail, newest first.
 * Paginated by id: pass the last {@code auditId} of a page as {@code before} for the next one
 * ({@code next} in the answer; null on the last page). {@code limit} 1 to 500, default 50.
 */
@RestController
class AuditController {
    private static final int MAX_LIMIT = 500;

    private final AuditTrail audit;

    AuditController(AuditTrail audit) {
        this.audit = audit;
    }

    /** One page and the {@code before} of the next one. */
    record AuditPage(List<AuditTrail.Entry> entries, Long next) {
    }

    @GetMapping("/api/audit")
    AuditPage audit(@RequestParam(name = "action", required = false) String action,
                    @RequestParam(name = "before", required = false) Long before,
                    @RequestParam(name = "limit", defaultValue = "50") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT, "limit");
        }
        if (action != null && action.length() > 50) {
            throw ApiException.badRequest("action is too long", "action");
        }
        List<AuditTrail.Entry> entries = audit.page(action == null || action.isBlank() ? null : action.strip(), before, limit + 1);
        Long next = null;
        if (entries.size() > limit) {
            entries = entries.subList(0, limit);
            next = entries.get(limit - 1).auditId();
        }
        return new AuditPage(List.copyOf(entries), next);
    }
}
