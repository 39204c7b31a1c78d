-- Version 20: fleet rollouts of a runner image (issue 16 item 4, docs/architecture.md §19). A rollout is data: the
-- worker's rollout loop drives it a tick at a time, so it survives restarts of manager and worker.

CREATE TABLE rollouts (
    id                 uuid PRIMARY KEY,
    image              text NOT NULL,
    state              text NOT NULL CHECK (state IN ('Running', 'Paused', 'Cancelled', 'Completed')),
    canary             int NOT NULL CHECK (canary >= 0),
    wave_size          int NOT NULL CHECK (wave_size >= 1),
    max_failures       int NOT NULL CHECK (max_failures >= 0),
    accepted_failures  int NOT NULL DEFAULT 0,
    reason             text,
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    -- A worker's lease on the rollout while it ticks it (the database's clock): two workers never drive one at once.
    lease_until        timestamptz
);
CREATE INDEX rollouts_open ON rollouts (created_at) WHERE state IN ('Running', 'Paused');

CREATE TABLE rollout_sites (
    rollout_id  uuid NOT NULL REFERENCES rollouts (id),
    site_id     uuid NOT NULL REFERENCES sites (id),
    site_name   text NOT NULL,
    ordinal     int NOT NULL,
    wave        int NOT NULL CHECK (wave >= 0),
    state       text NOT NULL CHECK (state IN ('Pending', 'Upgrading', 'Succeeded', 'Failed', 'Skipped')),
    job_id      uuid REFERENCES jobs (id),
    detail      text,
    PRIMARY KEY (rollout_id, site_id)
);
