-- Version 4: backups and restores (issue 4).

-- A job's parameters (e.g. the backup a restore reads), fixed when it is created.
ALTER TABLE jobs ADD COLUMN args jsonb NOT NULL DEFAULT '{}';

-- One backup per job that takes one (its id is the job's id). Its state is derived: good_at set → Good; pruned_at
-- set → Pruned; its job Failed/Cancelled → Failed; else Running.
CREATE TABLE backups (
    id            uuid PRIMARY KEY REFERENCES jobs (id),
    site_id       uuid NOT NULL REFERENCES sites (id),
    trigger       text NOT NULL CHECK (trigger IN ('Scheduled', 'Manual', 'PreDelete', 'PreRestore')),
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    parts         jsonb NOT NULL DEFAULT '[]',
    dump          jsonb,
    manifest      jsonb,
    good_at       timestamptz,
    pruned_at     timestamptz,
    verified_at   timestamptz,
    verify_ok     boolean,
    verify_detail text
);
CREATE INDEX backups_site ON backups (site_id, created_at DESC);
CREATE INDEX backups_expiring ON backups (expires_at) WHERE pruned_at IS NULL;

-- In-place restores and what each kept for its rollback window.
CREATE TABLE site_restores (
    job_id          uuid PRIMARY KEY REFERENCES jobs (id),
    site_id         uuid NOT NULL REFERENCES sites (id),
    backup_id       uuid NOT NULL REFERENCES backups (id),
    restore_id      text NOT NULL,
    previous_schema text NOT NULL,
    swapped_at      timestamptz NOT NULL,
    rollback_until  timestamptz NOT NULL,
    rolled_back_at  timestamptz,
    discarded_at    timestamptz
);
CREATE INDEX site_restores_site ON site_restores (site_id, swapped_at DESC);
