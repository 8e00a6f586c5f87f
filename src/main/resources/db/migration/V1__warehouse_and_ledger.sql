-- Caravan warehouse (shared/contract/warehouse.md) and ledger (shared/contract/operations.md).
-- Flyway runs this with the default schema "caravan"; names are qualified anyway for readers.

CREATE SCHEMA IF NOT EXISTS caravan;

-- ---------------------------------------------------------------------------------------------
-- Record tables. The envelope comes first on every one of them.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE caravan.lead (
    record_key    text PRIMARY KEY,
    connector_id  text NOT NULL,
    partner_id    text,
    data_class    text NOT NULL CHECK (data_class IN ('first_party', 'zero_party', 'second_party', 'third_party')),
    batch_id      text NOT NULL,
    ingested_at   timestamptz NOT NULL,
    policy_id     text,
    key_id        text,
    lead_id       text,
    lead_at       timestamptz,
    request_type  text CHECK (request_type IN ('test_drive', 'quote', 'finance', 'insurance', 'trade_in', 'info')),
    funnel_stage  text CHECK (funnel_stage IN ('awareness', 'consideration', 'intent', 'purchase', 'aftersales')),
    channel       text,
    dealer_id     text,
    make          text,
    model         text,
    model_year    int,
    fuel_type     text,
    vin_token     text,
    subject_token text,
    email_token   text,
    phone_token   text,
    postcode_area text
);

CREATE TABLE caravan.sale (
    record_key    text PRIMARY KEY,
    connector_id  text NOT NULL,
    partner_id    text,
    data_class    text NOT NULL CHECK (data_class IN ('first_party', 'zero_party', 'second_party', 'third_party')),
    batch_id      text NOT NULL,
    ingested_at   timestamptz NOT NULL,
    policy_id     text,
    key_id        text,
    sale_id       text,
    dealer_id     text,
    sale_date     date,
    make          text,
    model         text,
    model_year    int,
    fuel_type     text,
    condition     text CHECK (condition IN ('new', 'used')),
    price_amount  numeric(12,2),
    currency      text,
    financed      boolean,
    vin_token     text,
    wmi           text,
    subject_token text,
    email_token   text,
    phone_token   text,
    postcode_area text,
    birth_year    int
);

CREATE TABLE caravan.contract (
    record_key     text PRIMARY KEY,
    connector_id   text NOT NULL,
    partner_id     text,
    data_class     text NOT NULL CHECK (data_class IN ('first_party', 'zero_party', 'second_party', 'third_party')),
    batch_id       text NOT NULL,
    ingested_at    timestamptz NOT NULL,
    policy_id      text,
    key_id         text,
    contract_id    text,
    product        text CHECK (product IN ('loan', 'lease', 'balloon')),
    start_date     date,
    end_date       date,
    term_months    int,
    monthly_amount numeric(12,2),
    currency       text,
    make           text,
    model          text,
    vin_token      text,
    subject_token  text,
    email_token    text,
    phone_token    text,
    postcode_area  text
);

CREATE TABLE caravan.insurance (
    record_key    text PRIMARY KEY,
    connector_id  text NOT NULL,
    partner_id    text,
    data_class    text NOT NULL CHECK (data_class IN ('first_party', 'zero_party', 'second_party', 'third_party')),
    batch_id      text NOT NULL,
    ingested_at   timestamptz NOT NULL,
    policy_id     text,
    key_id        text,
    insurance_id  text,
    event         text CHECK (event IN ('quote', 'policy', 'renewal')),
    event_date    date,
    renewal_date  date,
    premium_band  text,
    make          text,
    model         text,
    vin_token     text,
    subject_token text,
    email_token   text,
    phone_token   text,
    postcode_area text
);

CREATE TABLE caravan.campaign_performance (
    record_key     text PRIMARY KEY,
    connector_id   text NOT NULL,
    partner_id     text,
    data_class     text NOT NULL CHECK (data_class IN ('first_party', 'zero_party', 'second_party', 'third_party')),
    batch_id       text NOT NULL,
    ingested_at    timestamptz NOT NULL,
    policy_id      text,
    key_id         text,
    platform       text,
    account_id     text,
    campaign_id    text,
    campaign_name  text,
    perf_date      date,
    impressions    bigint,
    clicks         bigint,
    spend_amount   numeric(14,4),
    currency       text,
    conversions    numeric(14,4),
    taxonomy_valid boolean,
    brand          text,
    market         text,
    model          text,
    funnel_stage   text,
    channel        text
);

-- Token look-ups for consent, erasure and joins: equality only, on random 64-character keys, so
-- hash indexes (smaller, and cheaper to maintain on bulk inserts than B-trees).
CREATE INDEX lead_subject_idx ON caravan.lead USING hash (subject_token);
CREATE INDEX lead_email_idx ON caravan.lead USING hash (email_token);
CREATE INDEX lead_phone_idx ON caravan.lead USING hash (phone_token);
CREATE INDEX sale_subject_idx ON caravan.sale USING hash (subject_token);
CREATE INDEX sale_email_idx ON caravan.sale USING hash (email_token);
CREATE INDEX sale_phone_idx ON caravan.sale USING hash (phone_token);
CREATE INDEX contract_subject_idx ON caravan.contract USING hash (subject_token);
CREATE INDEX contract_email_idx ON caravan.contract USING hash (email_token);
CREATE INDEX contract_phone_idx ON caravan.contract USING hash (phone_token);
CREATE INDEX insurance_subject_idx ON caravan.insurance USING hash (subject_token);
CREATE INDEX insurance_email_idx ON caravan.insurance USING hash (email_token);
CREATE INDEX insurance_phone_idx ON caravan.insurance USING hash (phone_token);
CREATE INDEX sale_ingested_idx    ON caravan.sale (ingested_at);
CREATE INDEX lead_ingested_idx    ON caravan.lead (ingested_at);
CREATE INDEX campaign_perf_date_idx ON caravan.campaign_performance (perf_date);

-- Consent history: appended, never updated. Keyed by token; never a raw identifier.
CREATE TABLE caravan.consent_event (
    event_id      text PRIMARY KEY,
    subject_token text NOT NULL,
    purpose       text NOT NULL,
    status        text NOT NULL CHECK (status IN ('granted', 'withdrawn')),
    basis         text NOT NULL CHECK (basis IN ('consent', 'legitimate_interest', 'contract')),
    captured_at   timestamptz NOT NULL,
    source        text,
    key_id        text
);
CREATE INDEX consent_event_latest_idx ON caravan.consent_event (purpose, subject_token, captured_at DESC, event_id DESC);

-- ---------------------------------------------------------------------------------------------
-- Ledger
-- ---------------------------------------------------------------------------------------------

CREATE TABLE caravan.batch (
    batch_id              text PRIMARY KEY,
    route_id              text,
    connector_id          text,
    partner_id            text,
    source                text,
    started_at            timestamptz NOT NULL,
    finished_at           timestamptz,
    status                text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    rows_in               bigint NOT NULL DEFAULT 0,
    rows_delivered        bigint NOT NULL DEFAULT 0,
    rows_rejected         bigint NOT NULL DEFAULT 0,
    rows_consent_filtered bigint NOT NULL DEFAULT 0,
    rows_suppressed       bigint NOT NULL DEFAULT 0,
    rows_duplicate        bigint NOT NULL DEFAULT 0,
    warnings              bigint NOT NULL DEFAULT 0,
    -- added to the contract: why a batch failed (names file, row or field; never a value),
    -- the target table, and named extra counters such as taxonomy violations
    error                 text,
    target_table          text,
    counters              jsonb,
    CONSTRAINT batch_balanced CHECK (status <> 'completed'
        OR rows_in = rows_delivered + rows_rejected + rows_consent_filtered + rows_suppressed + rows_duplicate)
);
CREATE INDEX batch_started_idx ON caravan.batch (started_at DESC);
CREATE INDEX batch_route_idx   ON caravan.batch (route_id, started_at DESC);

CREATE TABLE caravan.rejection (
    batch_id   text NOT NULL REFERENCES caravan.batch (batch_id),
    row_number bigint NOT NULL,
    field      text NOT NULL,
    reason     text NOT NULL
);
CREATE INDEX rejection_batch_idx ON caravan.rejection (batch_id, row_number);

-- Added to the contract: field-level problems that nulled a field but kept the row.
CREATE TABLE caravan.batch_warning (
    batch_id   text NOT NULL REFERENCES caravan.batch (batch_id),
    row_number bigint NOT NULL,
    field      text NOT NULL,
    reason     text NOT NULL
);
CREATE INDEX batch_warning_batch_idx ON caravan.batch_warning (batch_id, row_number);

-- ---------------------------------------------------------------------------------------------
-- Privacy support: suppression list (erased subjects' tokens), audit trail.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE caravan.suppression (
    token       text PRIMARY KEY,
    key_id      text,
    added_at    timestamptz NOT NULL DEFAULT now(),
    erasure_id  text
);

CREATE TABLE caravan.audit_event (
    audit_id    bigserial PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    subject     text,
    detail      jsonb
);
CREATE INDEX audit_event_time_idx ON caravan.audit_event (occurred_at DESC);

-- Incremental state of API connectors (cursor / watermark / page token), per connector.
CREATE TABLE caravan.connector_state (
    connector_id text PRIMARY KEY,
    watermark    text,
    cursor       text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   text
);
