-- Version 2: site runners (issue 3). A runner port per site, unique among sites not purged (purge frees it),
-- and the Frappe Administrator password, sealed, with when an admin read it.
ALTER TABLE sites ADD COLUMN runner_port int CHECK (runner_port BETWEEN 48600 AND 49699);
ALTER TABLE sites ADD COLUMN admin_password_enc bytea;
ALTER TABLE sites ADD COLUMN admin_password_shown_at timestamptz;
CREATE UNIQUE INDEX sites_runner_port ON sites (runner_port) WHERE runner_port IS NOT NULL AND state <> 'Purged';
