package io.caravan.consent;

import io.caravan.connector.DataClass;
import java.util.Set;

import java.util.Objects;

/**
 * A processing purpose of {@code config/purposes.yaml} with its legal basis.
 *
 * @param id          e.g. {@code analytics}; routes name it as {@code consent:<id>}
 * @param basis       {@link LegalBasis#CONSENT} or {@link LegalBasis#LEGITIMATE_INTEREST}
 * @param title       for people (console, audit)
 * @param description may be empty, never null
 * @param dataClasses the data classes it may process (exports under it leave out rows of others); never empty
 */
public record Purpose(String id, LegalBasis basis, String title, String description, Set<DataClass> dataClasses) {
    /** A purpose for every data class. */
    public Purpose(String id, LegalBasis basis, String title, String description) {
        this(id, basis, title, description, DataClass.all());
    }

    public Purpose {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(basis, "basis");
        if (basis == LegalBasis.CONTRACT) {
            throw new IllegalArgumentException("a purpose filters by consent or legitimate_interest");
        }
        title = title == null ? id : title;
        description = description == null ? "" : description;
        dataClasses = dataClasses == null || dataClasses.isEmpty() ? DataClass.all() : Set.copyOf(dataClasses);
    }

    /**
     * Whether a record may be processed, given its subject's latest event for this purpose
     * ({@code null} when there is none).
     */
    public boolean permits(ConsentStatus latest) {
        return basis == LegalBasis.CONSENT
                ? latest == ConsentStatus.GRANTED
                : latest != ConsentStatus.WITHDRAWN;
    }
}
