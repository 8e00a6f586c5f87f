package io.caravan.lineage;

import io.caravan.connector.ColumnType;
import io.caravan.connector.WarehouseTable;
import io.openlineage.client.OpenLineage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The OpenLineage schema facet of a warehouse record table: the envelope, then its business columns. Pure. */
final class TableSchemas {
    private TableSchemas() {
    }

    static OpenLineage.SchemaDatasetFacet of(OpenLineage ol, WarehouseTable table) {
        List<OpenLineage.SchemaDatasetFacetFields> fields = new ArrayList<>();
        WarehouseTable.ENVELOPE.forEach((column, type) -> fields.add(field(ol, column, type)));
        table.columns().forEach((column, type) -> fields.add(field(ol, column, type)));
        return ol.newSchemaDatasetFacet(fields);
    }

    private static OpenLineage.SchemaDatasetFacetFields field(OpenLineage ol, String column, ColumnType type) {
        return ol.newSchemaDatasetFacetFieldsBuilder().name(column).type(type.name().toLowerCase(Locale.ROOT)).build();
    }
}
