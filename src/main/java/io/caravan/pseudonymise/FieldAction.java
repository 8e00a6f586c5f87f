package io.caravan.pseudonymise;

import java.util.Locale;

/** What a policy does with one canonical field, and the output column it writes. */
public enum FieldAction {
    /** The value as it is, under the same name. */
    KEEP,
    /** The field's token (HMAC with the policy's key domain) as {@code <field>_token}. */
    HMAC,
    /** Deterministic AES-SIV ciphertext, base64url, as {@code <field>_enc}. */
    ENCRYPT,
    /** A coarser value: {@code postcode → postcode_area}, {@code birth_date → birth_year}, {@code x_amount → x_band}. */
    GENERALISE,
    /** Nothing (the same as not naming the field). */
    DROP;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The output column for {@code field}, or null for {@link #DROP}. */
    public String outputColumn(String field) {
        return switch (this) {
            case KEEP -> field;
            case HMAC -> field + "_token";
            case ENCRYPT -> field + "_enc";
            case GENERALISE -> Generalisation.outputColumn(field);
            case DROP -> null;
        };
    }
}
