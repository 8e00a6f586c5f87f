package io.caravan.privacy;

import io.caravan.api.ApiException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/reidentifications {table, recordKey, field, reason}} (operator or admin):
 * decrypts one encrypted value, audited (see {@link Reidentifier}). The answer carries the value;
 * nothing else does.
 */
@RestController
class ReidentificationsController {
    private final Reidentifier reidentifier;

    ReidentificationsController(Reidentifier reidentifier) {
        this.reidentifier = reidentifier;
    }

    record ReidentificationRequest(String table, String recordKey, String field, String reason) {
    }

    /** The answer. {@link #toString()} leaves the value out. */
    record Reidentified(String table, String recordKey, String field, String value) {
        @Override
        public String toString() {
            return "Reidentified[" + table + ":" + recordKey + ":" + field + "]";
        }
    }

    @PostMapping("/api/reidentifications")
    Reidentified reidentify(@RequestBody ReidentificationRequest request) {
        if (request == null) {
            throw ApiException.badRequest("request body is missing", null);
        }
        String value = reidentifier.reidentify(request.table(), request.recordKey(), request.field(), request.reason(),
                Actors.current("api"));
        String field = request.field().endsWith("_enc") ? request.field().substring(0, request.field().length() - 4) : request.field();
        return new Reidentified(request.table(), request.recordKey(), field, value);
    }
}
