package io.caravan.connector;

/** PostgreSQL column types used by the warehouse contract, with the Java type a row holds for each. */
public enum ColumnType {
    TEXT(String.class),
    INT(Integer.class),
    BIGINT(Long.class),
    NUMERIC(java.math.BigDecimal.class),
    DATE(java.time.LocalDate.class),
    TIMESTAMPTZ(java.time.OffsetDateTime.class),
    BOOLEAN(Boolean.class);

    private final Class<?> javaType;

    ColumnType(Class<?> javaType) {
        this.javaType = javaType;
    }

    public Class<?> javaType() {
        return javaType;
    }
}
