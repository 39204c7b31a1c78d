-- Press metadata store, version 1. Applied in one transaction by MigrationRunner.

CREATE TABLE sites (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    state           text NOT NULL,
    db_name         text NOT NULL,
    schema_name     text NOT NULL,
    role_name       text NOT NULL,
    password_enc    bytea NOT NULL,
    apps            text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    deleted_at      timestamptz,
    purge_after     timestamptz,
    purged_at       timestamptz
);
-- Names stay taken while a site exists in any form short of Purged (soft-deleted included).
CREATE UNIQUE INDEX sites_name_live ON sites (name) WHERE state <> 'Purged';
CREATE UNIQUE INDEX sites_location ON sites (db_name, schema_name);
CREATE INDEX sites_state ON sites (state, name);

CREATE TABLE jobs (
    id                uuid PRIMARY KEY,
    site_id           uuid NOT NULL REFERENCES sites (id),
    kind              text NOT NULL,
    state             text NOT NULL,
    created_by        text NOT NULL,
    created_at        timestamptz NOT NULL,
    started_at        timestamptz,
    finished_at       timestamptz,
    run_after         timestamptz NOT NULL,
    lease_owner       text,
    lease_expires_at  timestamptz,
    failed_step       text,
    error             text
);
-- One mutating job per site at a time (docs/architecture.md §3).
CREATE UNIQUE INDEX jobs_one_active_per_site ON jobs (site_id) WHERE state IN ('Queued', 'Running', 'Waiting');
CREATE INDEX jobs_runnable ON jobs (run_after) WHERE state IN ('Queued', 'Waiting', 'Running');
CREATE INDEX jobs_site ON jobs (site_id, created_at DESC);

CREATE TABLE job_steps (
    job_id       uuid NOT NULL REFERENCES jobs (id),
    ordinal      int NOT NULL,
    name         text NOT NULL,
    state        text NOT NULL,
    attempts     int NOT NULL DEFAULT 0,
    started_at   timestamptz,
    finished_at  timestamptz,
    output       text,
    error        text,
    PRIMARY KEY (job_id, ordinal)
);

CREATE TABLE audit_events (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    site_name   text,
    target      text,
    details     jsonb,
    source_ip   text
);
CREATE INDEX audit_events_site ON audit_events (site_name, at DESC);
CREATE INDEX audit_events_actor ON audit_events (actor, at DESC);
CREATE INDEX audit_events_at ON audit_events (at DESC);

-- The audit log is append-only, even for Press's own role.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE users (
    id             uuid PRIMARY KEY,
    name           text NOT NULL UNIQUE,
    role           text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    password_hash  text,
    source         text NOT NULL,
    created_at     timestamptz NOT NULL
);

CREATE TABLE api_tokens (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id),
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    token_hash    bytea NOT NULL UNIQUE,
    prefix        text NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    last_used_at  timestamptz
);

CREATE TABLE settings (
    key         text PRIMARY KEY,
    value       text NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  text NOT NULL
);
