package io.caravan.privacy;

import io.caravan.api.ApiException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/subject-access} (operator) {@code {"email": ...}} or {@code {"phone": ...}}:
 * the subject access report (see {@link SubjectAccess}). {@code 400} naming the field for a
 * missing, doubled or malformed identifier.
 */
@RestController
class SubjectAccessController {
    private final SubjectAccess access;
    private final PrivacyProperties properties;

    SubjectAccessController(SubjectAccess access, PrivacyProperties properties) {
        this.access = access;
        this.properties = properties;
    }

    /** The request. {@link #toString()} never shows the identifier. */
    record AccessRequest(String email, String phone) {
        @Override
        public String toString() {
            return "AccessRequest[" + (email != null ? "email" : phone != null ? "phone" : "none") + "]";
        }
    }

    @PostMapping("/api/subject-access")
    SubjectAccess.Report report(@RequestBody AccessRequest request) {
        if (request == null) {
            throw ApiException.badRequest("request body is missing", null);
        }
        SubjectIdentifier identifier = SubjectIdentifier.of(blank(request.email()), blank(request.phone()),
                properties.phoneRegion(), false);
        return access.report(identifier, Actors.current("api"));
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
