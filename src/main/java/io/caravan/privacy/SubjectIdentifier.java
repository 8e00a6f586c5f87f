package io.caravan.privacy;

import io.caravan.api.ApiException;
import io.caravan.pseudonymise.Identifiers;
import io.caravan.pseudonymise.InvalidIdentifierException;

/**
 * The identifier a privacy call names a subject by, normalised as the privacy contract says.
 * {@link #toString()} never shows the value.
 *
 * @param kind  {@code email} or {@code phone}: the request field it came from
 * @param value the normalised value (lowercased e-mail, E.164 phone)
 */
record SubjectIdentifier(String kind, String value) {

    /**
     * Exactly one of {@code email}, {@code phone} must be given.
     *
     * @throws ApiException 400 naming the field: none or both given, or a value that does not normalise
     */
    static SubjectIdentifier of(String email, String phone, String phoneRegion, boolean otherGiven) {
        int given = (email != null ? 1 : 0) + (phone != null ? 1 : 0) + (otherGiven ? 1 : 0);
        if (given == 0) {
            throw ApiException.badRequest("an identifier is required", otherGiven ? "subjectToken" : "email");
        }
        if (given > 1) {
            throw ApiException.badRequest("give exactly one identifier", email != null ? "email" : "phone");
        }
        try {
            if (email != null) {
                return new SubjectIdentifier("email", Identifiers.email(email));
            }
            if (phone != null) {
                return new SubjectIdentifier("phone", Identifiers.phone(phone, phoneRegion));
            }
        } catch (InvalidIdentifierException e) {
            // the message names the rule, never the value
            throw ApiException.badRequest(e.getMessage(), email != null ? "email" : "phone");
        }
        return null;
    }

    @Override
    public String toString() {
        return "SubjectIdentifier[" + kind + "]";
    }
}
