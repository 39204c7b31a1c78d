-- Version 12: the site's own site_config kept sealed, and the app versions its runtime reports (issue 10).

-- The site's own site_config.json keys (its encryption_key among them; none of the keys Press sets, so no database
-- password), sealed under Press:Secrets:Key: what restore as a new site and a lost volume bring back.
ALTER TABLE sites ADD COLUMN config_sealed bytea;
-- {"frappe": "16.0.0", …}: what `bench version` printed for the site's apps when the site was last installed,
-- resumed, restored or migrated.
ALTER TABLE sites ADD COLUMN app_versions jsonb;
