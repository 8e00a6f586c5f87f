-- Record of processing activities (GDPR Art. 30, issue 21): every start and every live reload that
-- changes the generated record stores a version; what changed is listed per version. Both hold
-- configuration names, periods and countries only, never a row value, a key or a password.
CREATE TABLE caravan.processing_record_version (
    version      bigserial PRIMARY KEY,
    recorded_at  timestamptz NOT NULL,
    cause        text        NOT NULL,   -- 'start' or 'reload: <route file>'
    digest       text        NOT NULL,   -- hex SHA-256 of the record's JSON
    record       jsonb       NOT NULL
);

CREATE TABLE caravan.processing_record_change (
    change_id    bigserial PRIMARY KEY,
    version      bigint      NOT NULL REFERENCES caravan.processing_record_version (version),
    changed_at   timestamptz NOT NULL,
    activity     text        NOT NULL,   -- the purpose id
    kind         text        NOT NULL,   -- purpose-added, recipient-added, retention-shortened, protection-weakened, ...
    detail       text        NOT NULL,
    file         text                    -- the route or configuration file that caused it
);
CREATE INDEX processing_record_change_at ON caravan.processing_record_change (changed_at);
