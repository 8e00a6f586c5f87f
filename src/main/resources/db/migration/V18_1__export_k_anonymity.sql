-- The k-anonymity gate of partner exports (issue 18): what the gate did in each run. Every row an
-- export considered is accounted for: rows_exported + rows_consent_filtered + rows_k_suppressed.
ALTER TABLE caravan.export ADD COLUMN k_anonymity int;
ALTER TABLE caravan.export ADD COLUMN rows_k_generalised bigint NOT NULL DEFAULT 0;
ALTER TABLE caravan.export ADD COLUMN rows_k_suppressed bigint NOT NULL DEFAULT 0;
ALTER TABLE caravan.export ADD COLUMN k_smallest_group bigint;
