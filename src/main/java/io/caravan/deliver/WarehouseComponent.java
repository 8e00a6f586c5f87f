package io.caravan.deliver;

import io.caravan.connector.WarehouseTable;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * {@code warehouse:<table>}: delivers a {@link io.caravan.pipeline.RecordBatch} into a record
 * table of the warehouse ({@code lead}, {@code sale}, {@code contract}, {@code insurance},
 * {@code campaign_performance}). Parses the URI only; the endpoint holds the options and the
 * {@link WarehouseWriter} does the work. An unknown table fails when the route is created.
 */
@Component("warehouse")
class WarehouseComponent extends DefaultComponent {
    private final WarehouseWriter writer;
    private final ObjectProvider<MeterRegistry> meterRegistry;

    WarehouseComponent(WarehouseWriter writer, ObjectProvider<MeterRegistry> meterRegistry) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        WarehouseTable table = WarehouseTable.byName(remaining).orElseThrow(() -> new IllegalArgumentException(
                "warehouse:" + remaining + ": unknown table; allowed: " + Arrays.stream(WarehouseTable.values())
                        .map(WarehouseTable::tableName).collect(Collectors.joining(", "))));
        WarehouseEndpoint endpoint = new WarehouseEndpoint(uri, this, table);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    WarehouseWriter writer() {
        return writer;
    }

    /** The registry to count rows and time batches in, or null when the application has none. */
    MeterRegistry meterRegistry() {
        return meterRegistry.getIfAvailable();
    }
}
