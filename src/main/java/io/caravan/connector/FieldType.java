package io.caravan.connector;

import java.util.Locale;

/** The types a descriptor field can have (the {@code type} of a field in connector.schema.json). */
public enum FieldType {
    TEXT, INTEGER, DECIMAL, DATE, TIMESTAMP, BOOLEAN, EMAIL, PHONE, VIN, POSTCODE, VOCABULARY;

    static FieldType of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** True for identifiers that pseudonymise replaces with tokens. */
    public boolean isIdentifier() {
        return this == EMAIL || this == PHONE || this == VIN;
    }
}
