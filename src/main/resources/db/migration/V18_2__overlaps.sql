-- Partner overlap, clean-room style (issue 18). Partners upload platform-normalised SHA-256
-- identifiers over SFTP; Caravan re-keys each one on arrival into the overlap key domain
-- (token = HMAC-SHA256(overlap key, sha256 hex)) and deletes the upload. Only these tokens are kept:
-- no hash as uploaded, no raw identifier. Queries answer aggregates only.

CREATE TABLE caravan.overlap_audience (
    audience_id   text PRIMARY KEY,          -- <partner>:<name>
    partner_id    text NOT NULL,
    name          text NOT NULL,
    key_id        text,                      -- the overlap-domain key that made the tokens
    uploaded_at   timestamptz NOT NULL,
    rows_in       bigint NOT NULL DEFAULT 0,
    rows_accepted bigint NOT NULL DEFAULT 0,
    rows_rejected bigint NOT NULL DEFAULT 0,
    status        text NOT NULL CHECK (status IN ('loaded', 'rejected')),
    error         text
);

-- One row per token of a member (a line of the upload: its e-mail and/or phone hash).
CREATE TABLE caravan.overlap_member (
    audience_id text NOT NULL REFERENCES caravan.overlap_audience (audience_id) ON DELETE CASCADE,
    member_no   bigint NOT NULL,
    token       text NOT NULL,
    PRIMARY KEY (audience_id, member_no, token)
);
CREATE INDEX overlap_member_token_idx ON caravan.overlap_member (audience_id, token);

-- The privacy budget of each pair (partner_a < partner_b; 'warehouse' for the warehouse's side):
-- epsilon spent by noisy queries; a query that would pass the total is refused.
CREATE TABLE caravan.overlap_budget (
    partner_a     text NOT NULL,
    partner_b     text NOT NULL,
    epsilon_total numeric NOT NULL,
    epsilon_spent numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (partner_a, partner_b),
    CHECK (partner_a < partner_b),
    CHECK (epsilon_spent <= epsilon_total)
);

-- Every query asked, answered or refused (aggregates asked for, never the answer's rows).
CREATE TABLE caravan.overlap_query (
    query_id        text PRIMARY KEY,
    partner_a       text NOT NULL,
    partner_b       text NOT NULL,
    audience_id     text NOT NULL,
    against         text NOT NULL,
    segment_by      text,
    epsilon         numeric,
    min_group_size  int NOT NULL,
    asked_by        text NOT NULL,
    asked_at        timestamptz NOT NULL,
    status          text NOT NULL CHECK (status IN ('answered', 'refused')),
    cells           int,
    cells_suppressed int,
    error           text
);
