package io.caravan.deliver;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code caravan.warehouse.*}: how the warehouse writer delivers batches.
 *
 * @param chunkRows rows staged per COPY before that chunk's rejections and warnings are stored;
 *                  bounds the writer's memory per batch (default 20000, 100..1000000)
 */
@ConfigurationProperties("caravan.warehouse")
record WarehouseProperties(@DefaultValue("20000") int chunkRows) {
    static final int DEFAULT_CHUNK_ROWS = 20_000;

    WarehouseProperties {
        if (chunkRows < 100 || chunkRows > 1_000_000) {
            throw new IllegalArgumentException("caravan.warehouse.chunk-rows must be between 100 and 1000000, was "
                    + chunkRows);
        }
    }
}
