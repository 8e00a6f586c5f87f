package io.caravan.connector;

import tools.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated connector descriptor ({@code connectors/*.yaml}): how one partner source maps onto
 * one warehouse record table. Immutable and thread-safe; built only by {@link ConnectorRegistry},
 * which has checked it against {@code connector.schema.json} and the warehouse contract.
 *
 * @param fields      canonical field name → spec, in descriptor order
 * @param constants   canonical field name → value for every row
 * @param subjectOrder identifier fields whose first present value makes {@code subject_token}
 * @param source      transport options for API sources (base URL, paging, allowed hosts); may be empty
 * @param phoneRegionColumns source columns holding a row's ISO 3166 alpha-2 region (the customer's, the vendor's
 *                    country); the first present one reads the row's phone numbers, else {@code phoneRegion}
 * @param gates       the drift and quality gates a delivered file must pass ({@link GateSpec#DEFAULTS} when not declared)
 */
public record ConnectorDescriptor(
        String id, String title, String description, String partner, String dataClass,
        WarehouseTable table, FormatSpec format, String phoneRegion, boolean vinCheckDigit,
        List<String> subjectOrder, List<String> naturalKey, Map<String, FieldSpec> fields,
        Map<String, Object> constants, Vocabularies vocabularies, long maxFileBytes, int maxFieldChars,
        String schedule, JsonNode source, Path file, List<String> phoneRegionColumns, GateSpec gates) {

    public ConnectorDescriptor(
            String id, String title, String description, String partner, String dataClass,
            WarehouseTable table, FormatSpec format, String phoneRegion, boolean vinCheckDigit,
            List<String> subjectOrder, List<String> naturalKey, Map<String, FieldSpec> fields,
            Map<String, Object> constants, Vocabularies vocabularies, long maxFileBytes, int maxFieldChars,
            String schedule, JsonNode source, Path file, List<String> phoneRegionColumns) {
        this(id, title, description, partner, dataClass, table, format, phoneRegion, vinCheckDigit, subjectOrder, naturalKey,
                fields, constants, vocabularies, maxFileBytes, maxFieldChars, schedule, source, file, phoneRegionColumns,
                GateSpec.DEFAULTS);
    }

    public ConnectorDescriptor(
            String id, String title, String description, String partner, String dataClass,
            WarehouseTable table, FormatSpec format, String phoneRegion, boolean vinCheckDigit,
            List<String> subjectOrder, List<String> naturalKey, Map<String, FieldSpec> fields,
            Map<String, Object> constants, Vocabularies vocabularies, long maxFileBytes, int maxFieldChars,
            String schedule, JsonNode source, Path file) {
        this(id, title, description, partner, dataClass, table, format, phoneRegion, vinCheckDigit, subjectOrder, naturalKey,
                fields, constants, vocabularies, maxFileBytes, maxFieldChars, schedule, source, file, List.of());
    }

    public ConnectorDescriptor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(format, "format");
        subjectOrder = List.copyOf(subjectOrder);
        naturalKey = List.copyOf(naturalKey);
        phoneRegionColumns = List.copyOf(phoneRegionColumns);
        fields = Map.copyOf(fields);
        constants = Map.copyOf(constants);
        gates = gates == null ? GateSpec.DEFAULTS : gates;
    }

    @Override
    public String toString() {
        return "Connector[" + id + " → " + table.tableName() + "]";
    }
}
