package io.caravan.deliver;

import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Disposition;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import java.io.Closeable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** Small fixture builders for batches and rows as they reach the writer (after pseudonymise). */
final class Batches {
    static final String ROUTE = "dealer-nord-sales";

    private Batches() {
    }

    static BatchContext context(String batchId) {
        BatchContext context = new BatchContext(batchId, ROUTE, "dealer-dms-sales", "dealer-nord", "first_party",
                "sales_2026-11.csv", Instant.parse("2026-11-03T08:00:00Z"));
        context.policyId("warehouse-default");
        return context;
    }

    static RowBuilder row(long number, String recordKey) {
        return new RowBuilder(number, recordKey);
    }

    /** A sale row with a few typical columns filled from {@code seed}. */
    static RowBuilder sale(long number, String recordKey, String model) {
        return row(number, recordKey).with("sale_id", "S-" + number).with("make", "Volkswagen")
                .with("model", model).with("model_year", 2024).with("condition", "new");
    }

    static Tracked batch(String batchId, RowBuilder... rows) {
        return batch(context(batchId), Arrays.stream(rows).map(RowBuilder::build).toList());
    }

    static Tracked batch(BatchContext context, List<Row> rows) {
        AtomicBoolean closed = new AtomicBoolean();
        Closeable source = () -> closed.set(true);
        return new Tracked(new RecordBatch(context, rows.iterator(), source), closed);
    }

    /** A batch and whether its source was closed. */
    record Tracked(RecordBatch batch, AtomicBoolean closed) {
    }

    static final class RowBuilder {
        private final long number;
        private final String recordKey;
        private final Map<String, Object> fields = new LinkedHashMap<>();
        private final List<Runnable> afterBuild = new ArrayList<>();
        private String keyId = "wh-2026-01";
        private Row row;

        private RowBuilder(long number, String recordKey) {
            this.number = number;
            this.recordKey = recordKey;
        }

        RowBuilder with(String field, Object value) {
            fields.put(field, value);
            return this;
        }

        RowBuilder keyId(String keyId) {
            this.keyId = keyId;
            return this;
        }

        RowBuilder rejected(String field, String reason) {
            afterBuild.add(() -> row.reject(field, reason));
            return this;
        }

        RowBuilder warned(String field, String reason) {
            afterBuild.add(() -> row.warn(field, reason));
            return this;
        }

        RowBuilder disposed(Disposition disposition) {
            afterBuild.add(() -> row.dispose(disposition));
            return this;
        }

        Row build() {
            row = new Row(number, new LinkedHashMap<>(fields));
            row.recordKey(recordKey);
            row.keyId(keyId);
            afterBuild.forEach(Runnable::run);
            return row;
        }
    }
}
