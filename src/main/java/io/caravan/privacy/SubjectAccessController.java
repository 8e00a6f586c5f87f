package io.caravan.privacy;

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

    @PostMapping("/api/subject-access")
    SubjectAccess.Report report(@RequestBody SubjectRequest request) {
        SubjectIdentifier identifier = SubjectRequest.identifier(request, properties);
        return access.report(identifier, Actors.current("api"));
    }
}
