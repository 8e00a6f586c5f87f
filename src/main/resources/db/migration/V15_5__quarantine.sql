-- Drift and quality gates (issue 15): a delivered file that fails a gate is quarantined before
-- anything is written to the warehouse. The ledger gains three batch statuses:
--   quarantined  held back by the gates; rows_in is the row count the gates measured, nothing was delivered
--   released     an operator released it; the file ran again as the batch named in quarantine.released_as
--   rejected     an operator rejected it; rows_rejected = rows_in (the whole file was refused), nothing delivered
ALTER TABLE caravan.batch DROP CONSTRAINT batch_status_check;
ALTER TABLE caravan.batch ADD CONSTRAINT batch_status_check
    CHECK (status IN ('running', 'completed', 'failed', 'quarantined', 'released', 'rejected'));

-- Why a batch was quarantined and what an operator decided. Reasons name gates, fields, columns and
-- figures, never a value. state: held (waiting for an operator), releasing (its file was handed back to
-- its route), released, rejected.
CREATE TABLE caravan.quarantine (
    batch_id        text PRIMARY KEY,          -- the quarantined batch (no foreign key, like caravan.archive)
    reasons         jsonb NOT NULL,
    state           text NOT NULL CHECK (state IN ('held', 'releasing', 'released', 'rejected')),
    quarantined_at  timestamptz NOT NULL,
    decided_by      text,
    decided_at      timestamptz,
    decision_reason text,
    released_as     text
);
CREATE INDEX quarantine_releasing ON caravan.quarantine (state) WHERE state = 'releasing';

-- The columns of each file that passed the gates: the baseline the next delivery of the same
-- connector is compared with (column names only, never a value).
CREATE TABLE caravan.batch_columns (
    batch_id     text PRIMARY KEY,
    connector_id text NOT NULL,
    columns      text[] NOT NULL
);
