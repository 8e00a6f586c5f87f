package io.caravan.deliver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The SQL the writer runs for one record table, built once from the table's fixed column names
 * (never from data): a temporary staging table, the COPY into it, and the one set-based merge.
 *
 * <p>The staging table holds what varies per row (ordinal, record key, key id, business columns);
 * the envelope values that are the same for the whole batch are bound parameters of the merge.
 * The merge keeps the first occurrence of each record key ({@code DISTINCT ON ... ORDER BY
 * record_key, ordinal}) and updates a stored record only when some column other than
 * {@code batch_id} and {@code ingested_at} differs, so the number of rows it reports is the number
 * delivered. Immutable and thread-safe.
 */
final class MergeSql {
    static final String STAGE = "pg_temp.caravan_stage";

    /** Envelope columns set from the batch, bound in this order as parameters 1..6 of {@link #merge()}. */
    static final List<String> BATCH_ENVELOPE =
            List.of("connector_id", "partner_id", "data_class", "batch_id", "ingested_at", "policy_id");

    private final String createStage;
    private final String copyStage;
    private final String merge;

    MergeSql(WarehouseTable table) {
        Map<String, ColumnType> columns = table.columns();
        List<String> business = columns.keySet().stream().map(MergeSql::quote).toList();

        List<String> stageColumns = new ArrayList<>(List.of("ordinal bigint NOT NULL", "record_key text NOT NULL",
                "key_id text"));
        columns.forEach((name, type) -> stageColumns.add(quote(name) + " " + sqlType(type)));
        createStage = "CREATE TEMP TABLE caravan_stage (" + String.join(", ", stageColumns) + ") ON COMMIT DROP";

        copyStage = "COPY " + STAGE + " (ordinal, record_key, key_id, " + String.join(", ", business)
                + ") FROM STDIN";

        List<String> targetColumns = new ArrayList<>(List.of("record_key"));
        targetColumns.addAll(BATCH_ENVELOPE);
        targetColumns.add("key_id");
        targetColumns.addAll(business);

        List<String> select = new ArrayList<>(List.of("s.record_key", "?::text", "?::text", "?::text", "?::text",
                "?::timestamptz", "?::text", "s.key_id"));
        business.forEach(c -> select.add("s." + c));

        List<String> updated = targetColumns.stream().filter(c -> !c.equals("record_key")).toList();
        List<String> compared = updated.stream()
                .filter(c -> !c.equals("batch_id") && !c.equals("ingested_at")).toList();

        merge = "WITH merged AS (INSERT INTO caravan." + quote(table.tableName()) + " AS t ("
                + String.join(", ", targetColumns) + ") SELECT DISTINCT ON (s.record_key) "
                + String.join(", ", select) + " FROM " + STAGE + " s ORDER BY s.record_key, s.ordinal"
                + " ON CONFLICT (record_key) DO UPDATE SET "
                + updated.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "))
                + " WHERE (" + compared.stream().map(c -> "t." + c).collect(Collectors.joining(", "))
                + ") IS DISTINCT FROM ("
                + compared.stream().map(c -> "EXCLUDED." + c).collect(Collectors.joining(", "))
                + ") RETURNING 1) SELECT count(*) FROM merged";
    }

    String createStage() {
        return createStage;
    }

    String copyStage() {
        return copyStage;
    }

    /** Returns one row, one column: the number of records inserted or changed. */
    String merge() {
        return merge;
    }

    static String sqlType(ColumnType type) {
        return switch (type) {
            case TEXT -> "text";
            case INT -> "integer";
            case BIGINT -> "bigint";
            case NUMERIC -> "numeric";
            case DATE -> "date";
            case TIMESTAMPTZ -> "timestamptz";
            case BOOLEAN -> "boolean";
        };
    }

    /** Quotes a contract column name; the names are fixed lower-case identifiers, checked here anyway. */
    private static String quote(String identifier) {
        if (!identifier.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain identifier: " + identifier);
        }
        return '"' + identifier + '"';
    }
}
