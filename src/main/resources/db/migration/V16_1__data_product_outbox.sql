-- Data products on Kafka (#16): the transactional outbox. The warehouse writer adds one row per
-- delivered record key in the transaction that merges the batch (kind 'record'); an erasure adds one
-- per deleted record key in its own transaction (kind 'erasure'). The publisher reads pending rows,
-- publishes them with a transactional producer and marks them sent. Written only when
-- caravan.data-products.enabled is true.
CREATE TABLE caravan.data_product_outbox (
    outbox_id     bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('record', 'erasure')),
    table_name    text NOT NULL,
    record_key    text NOT NULL,
    batch_id      text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    attempted_at  timestamptz,
    sent_at       timestamptz,
    outcome       text CHECK (outcome IN ('published', 'consent_filtered', 'gone', 'no_topic'))
);
CREATE INDEX data_product_outbox_pending_idx ON caravan.data_product_outbox (outbox_id) WHERE sent_at IS NULL;
CREATE INDEX data_product_outbox_sent_idx ON caravan.data_product_outbox (sent_at) WHERE sent_at IS NOT NULL;
