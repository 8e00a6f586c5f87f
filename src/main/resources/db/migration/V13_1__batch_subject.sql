-- The subjects each batch saw (issue 13), so that an erasure finds every kept file (caravan.archive)
-- that carried the subject without decrypting or scanning one: also the files of batches whose row of
-- the subject was consent-filtered, suppressed or an unchanged re-delivery (no warehouse row carries
-- those batch ids), and of batches whose warehouse rows were replaced since.
--
-- Tokens only: the consent step records, per chunk of rows, the e-mail and phone of every row that
-- has one as a token of the 'suppression' key domain (the active key; the erasure looks up every
-- readable one, as the suppression list does). That domain's keys never rotate rows and are never
-- shared with a partner, so a sighting cannot be joined with the warehouse or an export.
-- A sighting lives as long as its batch's kept file: the retention purge deletes the sightings of
-- batches with no live archive (shredded, or never kept after a day's grace).
CREATE TABLE caravan.batch_subject (
    batch_id text        NOT NULL,
    token    text        NOT NULL,
    key_id   text        NOT NULL,
    seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token, batch_id)
);
CREATE INDEX batch_subject_batch ON caravan.batch_subject (batch_id);
