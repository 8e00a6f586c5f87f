package io.caravan.deliver;

import io.caravan.connector.ColumnType;
import io.caravan.connector.WarehouseTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The SQL the writer runs for one record table, built once from the table's fixed column names
 * (never from data): a temporary staging table, the COPY into it, and the one set-based merge.
 *
 * <p>The staging table holds one chunk of rows at a time: what varies per row (ordinal, record key,
 * key id, business columns); the envelope values that are the same for the whole batch are bound
 * parameters of the merge. The merge runs once per chunk. It keeps the first occurrence of each
 * record key: within the chunk by {@code DISTINCT ON ... ORDER BY record_key, ordinal}, across the
 * chunks of the batch by the stored record's {@code batch_id} (written by an earlier chunk of this
 * batch) and, for an earlier occurrence that changed nothing, a second temporary table of those keys
 * (so a first delivery, where nothing is unchanged, adds nothing to it). It updates a stored record only when some column other than
 * {@code batch_id} and {@code ingested_at} differs, so the number of rows it reports is the number
 * delivered; a row equal to its stored record is dropped before the insert, so it costs a look-up
 * and no write (not even the row lock of {@code ON CONFLICT}). Immutable and thread-safe.
 */
final class MergeSql {
    static final String STAGE = "pg_temp.caravan_stage";
    static final String SEEN = "pg_temp.caravan_seen";

    /** Envelope columns set from the batch, bound in this order as parameters 1..6 of {@link #merge()}. */
    static final List<String> BATCH_ENVELOPE =
            List.of("connector_id", "partner_id", "data_class", "batch_id", "ingested_at", "policy_id");

    private final String createStage;
    private final String createSeen;
    private final String truncateStage;
    private final String copyStage;
    private final String merge;
    private final String outbox;

    MergeSql(WarehouseTable table) {
        Map<String, ColumnType> columns = table.columns();
        List<String> business = columns.keySet().stream().map(MergeSql::quote).toList();

        List<String> stageColumns = new ArrayList<>(List.of("ordinal bigint NOT NULL", "record_key text NOT NULL",
                "key_id text"));
        columns.forEach((name, type) -> stageColumns.add(quote(name) + " " + sqlType(type)));
        createStage = "CREATE TEMP TABLE caravan_stage (" + String.join(", ", stageColumns) + ") ON COMMIT DROP";
        createSeen = "CREATE TEMP TABLE caravan_seen (record_key text PRIMARY KEY) ON COMMIT DROP";
        truncateStage = "TRUNCATE " + STAGE;

        copyStage = "COPY " + STAGE + " (ordinal, record_key, key_id, " + String.join(", ", business)
                + ") FROM STDIN";

        List<String> targetColumns = new ArrayList<>(List.of("record_key"));
        targetColumns.addAll(BATCH_ENVELOPE);
        targetColumns.add("key_id");
        targetColumns.addAll(business);

        // what each target column gets: the batch's envelope from the bound parameters, the rest from the chunk
        Map<String, String> value = new java.util.LinkedHashMap<>();
        value.put("record_key", "c.record_key");
        BATCH_ENVELOPE.forEach(c -> value.put(c, "e." + c));
        value.put("key_id", "c.key_id");
        business.forEach(c -> value.put(c, "c." + c));

        List<String> updated = targetColumns.stream().filter(c -> !c.equals("record_key")).toList();
        List<String> compared = updated.stream()
                .filter(c -> !c.equals("batch_id") && !c.equals("ingested_at")).toList();

        String target = "caravan." + quote(table.tableName());
        merge = "WITH e AS (SELECT ?::text AS connector_id, ?::text AS partner_id, ?::text AS data_class,"
                + " ?::text AS batch_id, ?::timestamptz AS ingested_at, ?::text AS policy_id),"
                + " chunk AS (SELECT DISTINCT ON (s.record_key) s.* FROM " + STAGE + " s"
                + " ORDER BY s.record_key, s.ordinal),"
                // one primary-key probe per row: a scalar sub-select is never turned into a join, so it stays an
                // index probe however large the table is (a LATERAL join is pulled up and may become a scan per chunk)
                + " probe AS (SELECT c.*, (SELECT CASE WHEN t.batch_id = e.batch_id THEN 'this'"
                + " WHEN ROW(" + compared.stream().map(c -> "t." + c).collect(Collectors.joining(", "))
                + ") IS NOT DISTINCT FROM ROW(" + compared.stream().map(value::get).collect(Collectors.joining(", "))
                + ") THEN 'same' ELSE 'changed' END FROM " + target + " t WHERE t.record_key = c.record_key) AS stored"
                + " FROM chunk c CROSS JOIN e),"
                // a row equal to its stored record writes nothing (not even the row lock ON CONFLICT would
                // take); its key is remembered so that a later, different occurrence in this batch loses
                + " kept AS (INSERT INTO " + SEEN + " (record_key) SELECT p.record_key FROM probe p"
                + " WHERE p.stored = 'same' ON CONFLICT DO NOTHING),"
                + " merged AS (INSERT INTO " + target + " AS t ("
                + String.join(", ", targetColumns) + ") SELECT "
                + targetColumns.stream().map(value::get).collect(Collectors.joining(", "))
                + " FROM probe c CROSS JOIN e"
                // written by an earlier chunk of this batch, or an earlier occurrence was unchanged: first one wins
                + " WHERE (c.stored IS NULL OR c.stored = 'changed')"
                + " AND (SELECT true FROM " + SEEN + " k WHERE k.record_key = c.record_key) IS NULL"
                + " ON CONFLICT (record_key) DO UPDATE SET "
                + updated.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "))
                + " WHERE (" + compared.stream().map(c -> "t." + c).collect(Collectors.joining(", "))
                + ") IS DISTINCT FROM ("
                + compared.stream().map(c -> "EXCLUDED." + c).collect(Collectors.joining(", "))
                + ") RETURNING 1) SELECT count(*) FROM merged";
        // the rows this batch inserted or changed carry its ingested_at (one instant per batch, indexed) and its
        // batch id; unchanged rows keep their earlier ones and are not queued again
        outbox = "INSERT INTO caravan.data_product_outbox (kind, table_name, record_key, batch_id)"
                + " SELECT 'record', '" + table.tableName() + "', t.record_key, ?::text FROM caravan."
                + quote(table.tableName()) + " t WHERE t.ingested_at = ?::timestamptz AND t.batch_id = ?::text";
    }

    /**
     * Queues the batch's delivered record keys for the data products: the stored records this batch
     * wrote (parameters: the batch id, the batch's ingested-at instant, the batch id).
     */
    String outbox() {
        return outbox;
    }

    String createStage() {
        return createStage;
    }

    String createSeen() {
        return createSeen;
    }

    String truncateStage() {
        return truncateStage;
    }

    String copyStage() {
        return copyStage;
    }

    /** Merges the staged chunk; returns one row, one column: the number of records inserted or changed. */
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
