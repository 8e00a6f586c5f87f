package io.caravan.privacy;

import io.caravan.audit.AuditTrail;
import io.caravan.consent.ConsentEvent;
import io.caravan.consent.ConsentStatus;
import io.caravan.consent.ConsentStore;
import io.caravan.consent.Purpose;
import io.caravan.consent.PurposeRegistry;
import io.caravan.api.ApiException;
import io.caravan.pseudonymise.IdentitySeal;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/consents} (operator): records one consent event for a subject named by
 * {@code email}, {@code phone} (normalised, then tokenised with the active {@code warehouse} key;
 * the raw value is never stored, logged or answered) or an existing {@code subjectToken}.
 * {@code 201} with the stored event; {@code 400} naming the field for a missing or malformed
 * identifier, an unknown purpose, a status other than {@code granted}/{@code withdrawn}, or a
 * {@code capturedAt} that is not an ISO-8601 time with offset. A repeated {@code eventId} is not
 * recorded twice ({@code recorded: false}). Each new event is audited ({@code consent}).
 */
@RestController
class ConsentsController {
    private static final Pattern TOKEN = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
    private static final int MAX_SOURCE = 100;

    private final PurposeRegistry purposes;
    private final ConsentStore store;
    private final KeyRing keys;
    private final AuditTrail audit;
    private final PrivacyProperties properties;

    ConsentsController(PurposeRegistry purposes, ConsentStore store, KeyRing keys, AuditTrail audit,
                       PrivacyProperties properties) {
        this.purposes = purposes;
        this.store = store;
        this.keys = keys;
        this.audit = audit;
        this.properties = properties;
    }

    /** The request. {@link #toString()} names which identifier was given, never its value. */
    record ConsentRequest(String email, String phone, String subjectToken, String purpose, String status,
                          String capturedAt, String source, String eventId) {
        @Override
        public String toString() {
            return "ConsentRequest[purpose=" + purpose + ", status=" + status + "]";
        }
    }

    /** The stored event: keyed by token only. */
    record ConsentAnswer(String eventId, String subjectToken, String keyId, String purpose, String status,
                         String basis, Instant capturedAt, String source, boolean recorded) {
    }

    @PostMapping("/api/consents")
    @ResponseStatus(HttpStatus.CREATED)
    ConsentAnswer record(@RequestBody ConsentRequest request) {
        if (request == null) {
            throw ApiException.badRequest("request body is missing", null);
        }
        String token;
        String keyId;
        String sealed = null;
        String givenToken = blankToNull(request.subjectToken());
        SubjectIdentifier identifier = SubjectIdentifier.of(blankToNull(request.email()), blankToNull(request.phone()),
                properties.phoneRegion(), givenToken != null);
        if (identifier == null) {
            if (!TOKEN.matcher(givenToken).matches()) {
                throw ApiException.badRequest("subjectToken must be 64 lowercase hex characters", "subjectToken");
            }
            token = givenToken;
            keyId = null;
        } else {
            Tokeniser tokeniser = keys.tokeniser(KeyRing.WAREHOUSE);
            token = tokeniser.token(identifier.value());
            keyId = tokeniser.keyId();
            sealed = keys.identitySeal().seal(Map.of(IdentitySeal.SUBJECT, identifier.value()));
        }
        if (request.purpose() == null || request.purpose().isBlank()) {
            throw ApiException.badRequest("purpose is required", "purpose");
        }
        Purpose purpose = purposes.find(request.purpose().strip())
                .orElseThrow(() -> ApiException.badRequest("unknown purpose (known: " + purposes.ids() + ")", "purpose"));
        ConsentStatus status = status(request.status());
        Instant capturedAt = instant(request.capturedAt());
        String source = blankToNull(request.source());
        if (source != null && source.length() > MAX_SOURCE) {
            throw ApiException.badRequest("source must be at most " + MAX_SOURCE + " characters", "source");
        }
        String eventId = blankToNull(request.eventId());
        if (eventId != null && !EVENT_ID.matcher(eventId).matches()) {
            throw ApiException.badRequest("eventId must be 1 to 100 letters, digits or . _ : -", "eventId");
        }
        ConsentEvent event = new ConsentEvent(eventId == null ? UUID.randomUUID().toString() : eventId, token,
                purpose.id(), status, purpose.basis(), capturedAt, source == null ? "api" : source, keyId, sealed);
        boolean recorded = store.record(event);
        if (recorded) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("purpose", purpose.id());
            detail.put("status", status.dbName());
            detail.put("identifier", identifier == null ? "subjectToken" : identifier.kind());
            detail.put("source", event.source());
            detail.put("via", "api");
            audit.record(Actors.current("api"), "consent", event.eventId(), detail);
        }
        return new ConsentAnswer(event.eventId(), token, keyId, purpose.id(), status.dbName(), purpose.basis().dbName(),
                capturedAt, event.source(), recorded);
    }

    private static ConsentStatus status(String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("status is required (granted or withdrawn)", "status");
        }
        try {
            return ConsentStatus.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("status must be granted or withdrawn", "status");
        }
    }

    private static Instant instant(String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("capturedAt is required (ISO-8601 with offset)", "capturedAt");
        }
        try {
            return OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("capturedAt must be an ISO-8601 time with offset, e.g. 2026-11-23T10:15:00Z",
                    "capturedAt");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
