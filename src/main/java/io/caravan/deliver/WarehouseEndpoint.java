package io.caravan.deliver;

import io.caravan.connector.WarehouseTable;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * Delivers the {@link io.caravan.pipeline.RecordBatch} in the body into one record table; the
 * body becomes the batch's {@link io.caravan.ledger.BatchSummary}. Producer only.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "warehouse", title = "Caravan warehouse", syntax = "warehouse:table",
        producerOnly = true, remote = false, category = {Category.DATABASE})
class WarehouseEndpoint extends DefaultEndpoint {

    @UriPath(description = "The record table to deliver into",
            enums = "lead,sale,contract,insurance,campaign_performance")
    @Metadata(required = true)
    private final String table;
    private final WarehouseTable warehouseTable;

    WarehouseEndpoint(String uri, WarehouseComponent component, WarehouseTable table) {
        super(uri, component);
        this.warehouseTable = table;
        this.table = table.tableName();
    }

    @Override
    public WarehouseComponent getComponent() {
        return (WarehouseComponent) super.getComponent();
    }

    String getTable() {
        return table;
    }

    WarehouseTable warehouseTable() {
        return warehouseTable;
    }

    @Override
    public Producer createProducer() {
        return new WarehouseProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("warehouse:" + table + " only receives batches; it cannot be consumed");
    }
}
