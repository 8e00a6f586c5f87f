package io.caravan.privacy;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/erasures} (operator) {@code {"email": ...}} or {@code {"phone": ...}}: erases
 * the subject (see {@link Erasure}) and answers the rows deleted per table and the partners
 * that received an export containing the subject; each of those partners is notified
 * ({@link ErasureNotices}). {@code 400} naming the field for a missing,
 * doubled or malformed identifier. Idempotent.
 */
@RestController
class ErasuresController {
    private final Erasure erasure;
    private final PrivacyProperties properties;
    private final org.springframework.beans.factory.ObjectProvider<io.caravan.notify.Notifier> notifiers;

    ErasuresController(Erasure erasure, PrivacyProperties properties,
                       org.springframework.beans.factory.ObjectProvider<io.caravan.notify.Notifier> notifiers) {
        this.erasure = erasure;
        this.properties = properties;
        this.notifiers = notifiers;
    }

    @PostMapping("/api/erasures")
    Erasure.Result erase(@RequestBody SubjectRequest request) {
        SubjectIdentifier identifier = SubjectRequest.identifier(request, properties);
        Erasure.Result erased = erasure.erase(identifier.value(), identifier.kind(), Actors.current("api"));
        notifiers.ifAvailable(notifier -> new ErasureNotices(notifier).send(erased)); // GDPR Art. 19, README "Notifications"
        return erased;
    }
}
