-- The identity vault and the re-key job (issue 4; shared/contract/privacy.md, "Key rotation").
--
-- An HMAC token cannot be recomputed under a new key from the token alone. So that a re-key job
-- can move stored rows to a newly activated warehouse key (and the old key can then be
-- destroyed), each row that carries warehouse tokens also carries the normalised identifiers
-- behind them, sealed with AES-SIV under a keyset of its own (caravan.keys.vault.*, never the
-- encrypt action's keyset). Ciphertext only: no raw identifier is written. A seal lives and dies
-- with its row, so erasure and retention remove it with the row.

ALTER TABLE caravan.lead ADD COLUMN sealed_identifiers text;
ALTER TABLE caravan.sale ADD COLUMN sealed_identifiers text;
ALTER TABLE caravan.contract ADD COLUMN sealed_identifiers text;
ALTER TABLE caravan.insurance ADD COLUMN sealed_identifiers text;

-- Consent events that arrived with an e-mail or phone (ops API, consent feeds) keep it sealed too;
-- events given by subject token only are re-keyed through the tokens of the subject's records.
ALTER TABLE caravan.consent_event ADD COLUMN sealed_identifier text;

-- The export log names the warehouse key of each subject token, so the re-key job can move it and
-- key destruction sees what still depends on a key.
ALTER TABLE caravan.export_log ADD COLUMN key_id text;

-- The suppression list now holds tokens of its own key domain ('suppression'), made from the
-- identifiers an erasure names: independent of warehouse key rotation, and nothing reversible is
-- kept for an erased subject. Entries made before this migration (warehouse-domain tokens) are no
-- longer matched; an installation that has them re-runs those erasures (erasure is idempotent).
COMMENT ON COLUMN caravan.suppression.key_id IS 'key of key domain suppression that made the token';

-- Erasure marks the export log entries of the subject it erased (Art. 19: the disclosures to
-- notify are kept) and takes them off the warehouse key: a later erasure of the same person finds
-- them through the suppression list's erasure id, whatever key made their tokens, and they never
-- hold a warehouse key back from destruction.
ALTER TABLE caravan.export_log ADD COLUMN erasure_id text;
CREATE INDEX export_log_erasure_idx ON caravan.export_log (erasure_id) WHERE erasure_id IS NOT NULL;
