-- Version 9: people (local accounts and single sign-on) and server-side browser sessions (issue 12).

-- A disabled account cannot log in, its sessions end, and its API tokens stop working.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
-- May log in with its local password even while single sign-on works (Core/Identity/LocalLogin).
ALTER TABLE users ADD COLUMN break_glass boolean NOT NULL DEFAULT false;
-- Single sign-on people are identified by issuer and subject, never by e-mail; name is then sso:<subject>@<issuer>.
ALTER TABLE users ADD COLUMN issuer text;
ALTER TABLE users ADD COLUMN subject text;
ALTER TABLE users ADD COLUMN display_name text;
ALTER TABLE users ADD COLUMN last_login_at timestamptz;
ALTER TABLE users ADD CONSTRAINT users_sso_pair CHECK ((issuer IS NULL) = (subject IS NULL));
ALTER TABLE users ADD CONSTRAINT users_sso_no_password CHECK (issuer IS NULL OR password_hash IS NULL);
CREATE UNIQUE INDEX users_issuer_subject ON users (issuer, subject) WHERE issuer IS NOT NULL;
-- The bootstrap admin is the emergency account: break-glass from the start.
UPDATE users SET break_glass = true WHERE source = 'bootstrap';

-- One row per browser login. The cookie carries a random secret; only its SHA-256 is stored. A request is let in
-- while its row is neither ended, idle past the idle timeout, nor past expires_at (the absolute lifetime).
CREATE TABLE sessions (
    id            uuid PRIMARY KEY,
    secret_hash   bytea NOT NULL UNIQUE,
    user_id       uuid NOT NULL REFERENCES users (id),
    method        text NOT NULL CHECK (method IN ('local', 'sso')),
    role          text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    ended_by      text,
    source_ip     text
);
CREATE INDEX sessions_user_live ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_live ON sessions (expires_at) WHERE ended_at IS NULL;

-- ASP.NET Core's data-protection key ring (it encrypts session and anti-forgery cookies), shared by every manager
-- and kept across restarts; each key's secret part is sealed with Press:Secrets:Key (AES-256-GCM) like site passwords.
CREATE TABLE data_protection_keys (
    name        text PRIMARY KEY,
    xml         text NOT NULL,
    created_at  timestamptz NOT NULL
);
