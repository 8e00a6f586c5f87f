package io.caravan.consent;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One entry of the consent history ({@code caravan.consent_event}), keyed by the subject's token
 * in the warehouse key domain: never a raw identifier.
 *
 * @param eventId      unique; a repeated id is the same event delivered again
 * @param subjectToken 64 lowercase hex characters (see {@link io.caravan.pseudonymise.Tokeniser})
 * @param purpose      a purpose id
 * @param status       granted or withdrawn
 * @param basis        the legal basis under which it was captured
 * @param capturedAt   when the subject gave or withdrew it (not when it reached Caravan)
 * @param source       where it came from (e.g. {@code preference-centre}); may be null
 * @param keyId        the key that made the token; may be null when unknown
 * @param sealedIdentifier the normalised identifier behind the token, sealed for the re-key job
 *                     ({@link io.caravan.pseudonymise.IdentitySeal}); null when the event came
 *                     with a token only
 */
public record ConsentEvent(String eventId, String subjectToken, String purpose, ConsentStatus status,
                           LegalBasis basis, Instant capturedAt, String source, String keyId,
                           String sealedIdentifier) {
    private static final Pattern TOKEN = Pattern.compile("[0-9a-f]{64}");

    public ConsentEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(subjectToken, "subjectToken");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(capturedAt, "capturedAt");
        if (eventId.isBlank()) {
            throw new IllegalArgumentException("eventId must not be blank");
        }
        if (!TOKEN.matcher(subjectToken).matches()) {
            // never echo the value: it may be a raw identifier passed by mistake
            throw new IllegalArgumentException("subjectToken must be a token (64 lowercase hex characters)");
        }
    }

    @Override
    public String toString() {
        return "ConsentEvent[" + eventId + ", " + purpose + ", " + status.dbName() + ", key " + keyId + "]";
    }

    /** An event without a sealed identifier. */
    public ConsentEvent(String eventId, String subjectToken, String purpose, ConsentStatus status, LegalBasis basis,
                        Instant capturedAt, String source, String keyId) {
        this(eventId, subjectToken, purpose, status, basis, capturedAt, source, keyId, null);
    }

    /** A new event with a random id, under the purpose's own basis. */
    public static ConsentEvent of(String subjectToken, String keyId, Purpose purpose, ConsentStatus status,
                                  Instant capturedAt, String source) {
        return new ConsentEvent(UUID.randomUUID().toString(), subjectToken, purpose.id(), status, purpose.basis(),
                capturedAt, source, keyId);
    }
}
