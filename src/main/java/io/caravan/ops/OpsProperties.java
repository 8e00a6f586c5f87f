package io.caravan.ops;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.ops.*}.
 *
 * @param runWait        how long {@code POST /api/routes/{id}/run} waits for the run to finish or
 *                       its first batch to open before it answers (default 5 s, 0-60 s)
 * @param maxBatchLimit  the largest {@code limit} {@code GET /api/batches} accepts (default 500)
 * @param maxRejections  rejections and warnings shown with one batch, each (default 1000)
 */
@ConfigurationProperties("caravan.ops")
record OpsProperties(Duration runWait, Integer maxBatchLimit, Integer maxRejections) {
    OpsProperties {
        runWait = runWait == null ? Duration.ofSeconds(5) : runWait;
        if (runWait.isNegative() || runWait.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("caravan.ops.run-wait must be between 0 and 60 seconds");
        }
        maxBatchLimit = maxBatchLimit == null ? 500 : maxBatchLimit;
        if (maxBatchLimit < 1) {
            throw new IllegalArgumentException("caravan.ops.max-batch-limit must be at least 1");
        }
        maxRejections = maxRejections == null ? 1000 : maxRejections;
        if (maxRejections < 0) {
            throw new IllegalArgumentException("caravan.ops.max-rejections must not be negative");
        }
    }
}
