-- Notifications to subscribers (README, "Notifications"): one row per notification and channel, sent by
-- the dispatcher with retries and back-off; every attempt is logged in notification_attempt. Facts are
-- ids, counts and dates only (io.caravan.notify.Notifier), never personal data.
CREATE TABLE caravan.notification (
    notification_id text        PRIMARY KEY,
    kind            text        NOT NULL,
    partner_id      text,
    channel         text        NOT NULL,
    channel_type    text        NOT NULL CHECK (channel_type IN ('webhook', 'email')),
    dedupe_key      text,
    facts           jsonb       NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz
);
CREATE UNIQUE INDEX notification_dedupe ON caravan.notification (channel, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX notification_due ON caravan.notification (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notification_partner ON caravan.notification (partner_id, created_at DESC);

CREATE TABLE caravan.notification_attempt (
    notification_id text        NOT NULL REFERENCES caravan.notification (notification_id) ON DELETE CASCADE,
    attempt         integer     NOT NULL,
    attempted_at    timestamptz NOT NULL,
    outcome         text        NOT NULL CHECK (outcome IN ('sent', 'failed')),
    detail          text,
    PRIMARY KEY (notification_id, attempt)
);
