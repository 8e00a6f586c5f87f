package io.caravan.pipeline;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the ledger needs to know about a batch, and what the steps learn about it on the way:
 * which route, connector and partner it belongs to, where it came from (a file name or URL,
 * never credentials), which record table it lands in, which policy and key made its tokens,
 * and which source columns were dropped because the descriptor does not map them.
 *
 * <p>Mutated only by the thread that pulls the batch through the pipeline.
 */
public final class BatchContext {
    /** At most this many unmapped column names are reported per batch (the first in name order seen). */
    public static final int MAX_REPORTED_COLUMNS = 50;

    private final String batchId;
    private final String routeId;
    private final String connectorId;
    private final String partnerId;
    private final String dataClass;
    private final String source;
    private final Instant startedAt;
    private final Set<String> unmappedColumns = new TreeSet<>();
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private String purpose;
    private String policyId;
    private String keyId;

    public BatchContext(String batchId, String routeId, String connectorId, String partnerId,
                        String dataClass, String source, Instant startedAt) {
        this.batchId = Objects.requireNonNull(batchId, "batchId");
        this.routeId = routeId;
        this.connectorId = Objects.requireNonNull(connectorId, "connectorId");
        this.partnerId = partnerId;
        this.dataClass = dataClass;
        this.source = source;
        this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    }

    public String batchId() { return batchId; }
    public String routeId() { return routeId; }
    public String connectorId() { return connectorId; }
    public String partnerId() { return partnerId; }
    public String dataClass() { return dataClass; }
    public String source() { return source; }
    public Instant startedAt() { return startedAt; }
    public String purpose() { return purpose; }
    public void purpose(String purpose) { this.purpose = purpose; }
    public String policyId() { return policyId; }
    public void policyId(String policyId) { this.policyId = policyId; }
    public String keyId() { return keyId; }
    public void keyId(String keyId) { this.keyId = keyId; }

    /** Notes a source column that no descriptor field maps; reported once per batch, capped. */
    public void unmappedColumn(String column) {
        if (unmappedColumns.size() < MAX_REPORTED_COLUMNS) {
            unmappedColumns.add(column);
        }
    }

    public Set<String> unmappedColumns() {
        return Collections.unmodifiableSet(unmappedColumns);
    }

    /** Adds to a named extra counter (e.g. {@code taxonomy_violations}); reported with the batch. */
    public void count(String counter, long delta) {
        counters.merge(counter, delta, Long::sum);
    }

    public Map<String, Long> counters() {
        return Collections.unmodifiableMap(counters);
    }

    @Override
    public String toString() {
        return "Batch[" + batchId + ", route=" + routeId + ", connector=" + connectorId + "]";
    }
}
