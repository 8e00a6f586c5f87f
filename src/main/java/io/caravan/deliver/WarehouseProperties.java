package io.caravan.deliver;

import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code caravan.warehouse.*}: how the warehouse writer delivers batches.
 *
 * @param chunkRows    rows staged per COPY before that chunk's rejections and warnings are
 *                     stored; bounds the writer's memory per batch (default 20000, 1..1000000)
 * @param mergeWorkMem PostgreSQL {@code work_mem} for the merge's sort, set for the writer's
 *                     transaction only (default {@code 64MB}; a number with unit kB, MB or GB)
 */
@ConfigurationProperties("caravan.warehouse")
record WarehouseProperties(@DefaultValue("20000") int chunkRows, @DefaultValue("64MB") String mergeWorkMem) {
    public static final int DEFAULT_CHUNK_ROWS = 20_000;
    public static final String DEFAULT_MERGE_WORK_MEM = "64MB";

    public WarehouseProperties {
        if (chunkRows < 1 || chunkRows > 1_000_000) {
            throw new IllegalArgumentException("caravan.warehouse.chunk-rows must be between 1 and 1000000, was "
                    + chunkRows);
        }
        Objects.requireNonNull(mergeWorkMem, "caravan.warehouse.merge-work-mem");
        if (!mergeWorkMem.matches("[1-9][0-9]{0,6}(kB|MB|GB)")) {
            throw new IllegalArgumentException("caravan.warehouse.merge-work-mem must be a size such as 64MB, was '"
                    + mergeWorkMem + "'");
        }
    }

    /** The defaults. */
    public static WarehouseProperties defaults() {
        return new WarehouseProperties(DEFAULT_CHUNK_ROWS, DEFAULT_MERGE_WORK_MEM);
    }

    /** The defaults with another chunk size. */
    public WarehouseProperties withChunkRows(int rows) {
        return new WarehouseProperties(rows, mergeWorkMem);
    }
}
