-- Every attempt to change a route file, a connector descriptor or a configuration file of a running
-- Caravan (issue #12): GET /api/reloads lists them, newest first. Names files, lines, JSON paths, route
-- ids, outcomes and reasons; never a value of data.
CREATE TABLE caravan.reload_attempt (
    attempt_id   bigserial   PRIMARY KEY,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    actor        text        NOT NULL,
    file         text        NOT NULL,
    line         integer     CHECK (line IS NULL OR line > 0),
    path         text,
    route        text,
    outcome      text        NOT NULL CHECK (outcome IN ('applied', 'rejected', 'rolled-back', 'removed', 'pending-restart')),
    message      text        NOT NULL,
    version      text
);
