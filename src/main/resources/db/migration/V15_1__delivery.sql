-- Expected deliveries of partner flows whose outcome is known (on_time, late, missing), recorded by the
-- delivery monitor as it sees them change: a delivery is counted and told once per outcome (README,
-- "Delivery calendar"). Pending deliveries are not stored; GET /api/deliveries works them out from
-- the calendars and the ledger.
CREATE TABLE caravan.delivery (
    partner_id       text        NOT NULL,
    flow             text        NOT NULL,
    deadline         timestamptz NOT NULL,
    opens_at         timestamptz NOT NULL,
    closes_at        timestamptz NOT NULL,
    outcome          text        NOT NULL CHECK (outcome IN ('on_time', 'late', 'missing')),
    batch_id         text,
    arrived_at       timestamptz,
    lateness_seconds bigint      NOT NULL DEFAULT 0,
    recorded_at      timestamptz NOT NULL,
    PRIMARY KEY (flow, deadline)
);
CREATE INDEX delivery_partner_deadline ON caravan.delivery (partner_id, deadline);
