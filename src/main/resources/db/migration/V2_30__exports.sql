-- Exports to partners under sharing agreements (shared/contract/operations.md), and the export log
-- that erasure reads to list the partners to notify (shared/contract/privacy.md).

CREATE TABLE caravan.export (
    export_id     text PRIMARY KEY,
    partner_id    text NOT NULL,
    agreement_id  text NOT NULL,
    dataset       text NOT NULL,
    purpose       text,
    policy_id     text,
    key_id        text,
    transport     text,
    file_name     text,
    format        text,
    rows_exported bigint NOT NULL DEFAULT 0,
    rows_consent_filtered bigint NOT NULL DEFAULT 0,
    sha256        text,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    status        text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'refused')),
    error         text
);
CREATE INDEX export_partner_idx ON caravan.export (partner_id, started_at DESC);

-- Which subjects went to which partner: one row per subject per export, keyed by the subject's
-- warehouse-domain token (never the partner-domain token, never a raw identifier).
CREATE TABLE caravan.export_log (
    export_id     text NOT NULL REFERENCES caravan.export (export_id),
    partner_id    text NOT NULL,
    agreement_id  text NOT NULL,
    subject_token text NOT NULL,
    exported_at   timestamptz NOT NULL,
    PRIMARY KEY (export_id, subject_token)
);
CREATE INDEX export_log_subject_idx ON caravan.export_log (subject_token);
