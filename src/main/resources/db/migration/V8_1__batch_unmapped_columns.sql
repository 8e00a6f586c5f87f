-- Source columns that the batch's connector descriptor does not map: dropped from every row and
-- reported once per batch (names only, at most 50, never a value).
ALTER TABLE caravan.batch ADD COLUMN unmapped_columns text[] NOT NULL DEFAULT '{}';
