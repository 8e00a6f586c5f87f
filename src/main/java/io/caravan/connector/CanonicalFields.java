package io.caravan.connector;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The canonical fields a descriptor may map for a record table: the table's business columns
 * that come from the source, plus the personal inputs that pseudonymise turns into tokens or
 * generalised values. Columns derived on the way ({@code *_token}, {@code wmi},
 * {@code postcode_area}, {@code birth_year}) cannot be mapped.
 */
public final class CanonicalFields {

    /** Personal input fields and the descriptor types they accept. */
    public static final Map<String, Set<FieldType>> PERSONAL = Map.ofEntries(
            Map.entry("email", Set.of(FieldType.EMAIL)),
            Map.entry("phone", Set.of(FieldType.PHONE)),
            Map.entry("vin", Set.of(FieldType.VIN)),
            Map.entry("postcode", Set.of(FieldType.POSTCODE)),
            Map.entry("birth_date", Set.of(FieldType.DATE)),
            Map.entry("first_name", Set.of(FieldType.TEXT)),
            Map.entry("last_name", Set.of(FieldType.TEXT)),
            Map.entry("full_name", Set.of(FieldType.TEXT)),
            Map.entry("street", Set.of(FieldType.TEXT)),
            Map.entry("city", Set.of(FieldType.TEXT)),
            Map.entry("comment", Set.of(FieldType.TEXT)));

    private static final Set<String> DERIVED = Set.of("wmi", "postcode_area", "birth_year");

    private CanonicalFields() {
    }

    /** Mappable business columns of a table with their column types. */
    public static Map<String, ColumnType> business(WarehouseTable table) {
        Map<String, ColumnType> result = new LinkedHashMap<>();
        table.columns().forEach((name, type) -> {
            if (!name.endsWith("_token") && !DERIVED.contains(name)) {
                result.put(name, type);
            }
        });
        return result;
    }

    public static boolean isPersonal(String field) {
        return PERSONAL.containsKey(field);
    }

    /** Why {@code type} cannot be used for {@code field} of {@code table}, or empty when it can. */
    public static Optional<String> incompatibility(WarehouseTable table, String field, FieldType type) {
        Set<FieldType> personal = PERSONAL.get(field);
        if (personal != null) {
            return personal.contains(type) ? Optional.empty()
                    : Optional.of("type '" + name(type) + "' does not fit personal field '" + field + "' (use " + names(personal) + ")");
        }
        ColumnType column = business(table).get(field);
        if (column == null) {
            return Optional.of("unknown canonical field '" + field + "' for table " + table.tableName()
                    + " (valid: " + String.join(", ", business(table).keySet()) + "; personal: "
                    + String.join(", ", new java.util.TreeSet<>(PERSONAL.keySet())) + ")");
        }
        boolean fits = switch (column) {
            case TEXT -> type == FieldType.TEXT || type == FieldType.VOCABULARY;
            case INT, BIGINT -> type == FieldType.INTEGER;
            case NUMERIC -> type == FieldType.DECIMAL || type == FieldType.INTEGER;
            case DATE -> type == FieldType.DATE;
            case TIMESTAMPTZ -> type == FieldType.TIMESTAMP || type == FieldType.DATE;
            case BOOLEAN -> type == FieldType.BOOLEAN;
        };
        return fits ? Optional.empty()
                : Optional.of("type '" + name(type) + "' does not fit column " + table.tableName() + "." + field + " (" + column.name().toLowerCase() + ")");
    }

    private static String name(FieldType type) {
        return type.name().toLowerCase();
    }

    private static String names(Set<FieldType> types) {
        return String.join(" or ", types.stream().map(CanonicalFields::name).sorted().toList());
    }
}
