-- Data classes at export time (issue 13): rows of a data class that the agreement, its policy or its
-- purpose does not allow (third-party data unless the agreement names it) are left out of the file and
-- counted here, apart from the consent-filtered ones.
ALTER TABLE caravan.export ADD COLUMN rows_class_filtered bigint NOT NULL DEFAULT 0;
