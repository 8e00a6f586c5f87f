-- Which export runs and audited privacy jobs (re-key, erasure, retention purge, replay) have had their
-- OpenLineage events (issue 21). The first node to insert a row emits the events: once per cluster,
-- also across restarts.
CREATE TABLE caravan.lineage_emitted (
    source     text        NOT NULL,
    source_id  text        NOT NULL,
    emitted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, source_id)
);
