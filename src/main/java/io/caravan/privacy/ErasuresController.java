package io.caravan.privacy;

import io.caravan.api.ApiException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/erasures} (operator) {@code {"email": ...}} or {@code {"phone": ...}}: erases
 * the subject (see {@link Erasure}) and answers the rows deleted per table and the partners
 * that received an export containing the subject. {@code 400} naming the field for a missing,
 * doubled or malformed identifier. Idempotent.
 */
@RestController
class ErasuresController {
    private final Erasure erasure;
    private final PrivacyProperties properties;

    ErasuresController(Erasure erasure, PrivacyProperties properties) {
        this.erasure = erasure;
        this.properties = properties;
    }

    /** The request. {@link #toString()} never shows the identifier. */
    record ErasureRequest(String email, String phone) {
        @Override
        public String toString() {
            return "ErasureRequest[" + (email != null ? "email" : phone != null ? "phone" : "none") + "]";
        }
    }

    @PostMapping("/api/erasures")
    Erasure.Result erase(@RequestBody ErasureRequest request) {
        if (request == null) {
            throw ApiException.badRequest("request body is missing", null);
        }
        SubjectIdentifier identifier = SubjectIdentifier.of(blank(request.email()), blank(request.phone()),
                properties.phoneRegion(), false);
        return erasure.erase(identifier.value(), identifier.kind(), Actors.current("api"));
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
