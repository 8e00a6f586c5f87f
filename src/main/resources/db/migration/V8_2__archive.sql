-- The archive of kept partner files (issue 13; shared/contract/privacy.md, "Raw partner files").
--
-- A partner file exists in plain text only in its inbox until it is picked up. What is kept
-- afterwards (inbox/.done/, inbox/.failed/) is encrypted with a data key of its own (a Tink
-- streaming-AEAD keyset), and that key is kept here only wrapped by the archive master key
-- (caravan.keys.archive.*). Crypto-shredding an entry deletes its wrapped key and its file and
-- marks the row shredded; the row stays as the record that the file existed and is gone.
CREATE TABLE caravan.archive (
    archive_id  uuid        PRIMARY KEY,
    batch_id    text,                      -- the ledger batch of the file; null when none opened (a file refused before)
    partner     text        NOT NULL,      -- the inbox's partner (the directory above inbox/)
    route_id    text,
    path        text        NOT NULL UNIQUE, -- the encrypted file, as the archiver wrote it
    outcome     text        NOT NULL CHECK (outcome IN ('done', 'failed')),
    wrapped_key bytea,                     -- null once shredded
    created_at  timestamptz NOT NULL DEFAULT now(),
    shredded_at timestamptz,
    shredded_by text,                      -- 'retention' or the erasure id
    CHECK ((wrapped_key IS NULL) = (shredded_at IS NOT NULL))
);
CREATE INDEX archive_batch ON caravan.archive (batch_id);
CREATE INDEX archive_live ON caravan.archive (partner, created_at) WHERE shredded_at IS NULL;
