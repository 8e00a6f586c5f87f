package io.caravan.privacy;

import io.caravan.api.ApiException;

/**
 * The body of a request about one data subject ({@code {"email": ...}} or {@code {"phone": ...}}), as the
 * erasure and subject-access calls take it. {@link #toString()} names the kind, never the identifier.
 */
record SubjectRequest(String email, String phone) {
    @Override
    public String toString() {
        return "SubjectRequest[" + (email != null ? "email" : phone != null ? "phone" : "none") + "]";
    }

    /**
     * The normalised identifier of a request body (blank values count as absent).
     *
     * @throws ApiException {@code 400} for a missing body, or naming the field of a missing, doubled or malformed identifier
     */
    static SubjectIdentifier identifier(SubjectRequest request, PrivacyProperties properties) {
        if (request == null) {
            throw ApiException.badRequest("request body is missing", null);
        }
        return SubjectIdentifier.of(blank(request.email()), blank(request.phone()), properties.phoneRegion(), false);
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
