-- OpenLineage run events kept by the embedded default (issue 21): one row per event, the event as it
-- would be sent to a lineage backend. Events name jobs, datasets, columns and counts, never a value.
CREATE TABLE caravan.lineage_event (
    event_id      bigserial PRIMARY KEY,
    run_id        uuid        NOT NULL,
    event_type    text        NOT NULL,
    event_time    timestamptz NOT NULL,
    job_namespace text        NOT NULL,
    job_name      text        NOT NULL,
    payload       jsonb       NOT NULL,
    stored_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lineage_event_job ON caravan.lineage_event (job_name, event_time DESC);
CREATE INDEX lineage_event_run ON caravan.lineage_event (run_id);
CREATE INDEX lineage_event_stored ON caravan.lineage_event (stored_at);
