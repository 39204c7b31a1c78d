-- Version 18: the standby pool (docs/architecture.md §17). A standby site is an ordinary site row, created by the
-- ordinary NewSite recipe under an opaque name (standby-<random>.invalid), flagged here so that the ingress never
-- routes it and the site list never shows it. A claim clears the flag in the same transaction that renames the row.
ALTER TABLE sites ADD COLUMN standby boolean NOT NULL DEFAULT false;

-- The claim looks for a ready standby of one app set; the refill loop counts them per app set.
CREATE INDEX sites_standby ON sites (state) WHERE standby;
