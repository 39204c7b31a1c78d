-- Version 13: indexes that keep a /metrics scrape bounded by the live fleet, never by history (docs/architecture.md §13).

-- The newest good, unpruned backup of a site: one index probe per watched site, however many backups were pruned.
CREATE INDEX backups_site_good ON backups (site_id, good_at DESC) WHERE good_at IS NOT NULL AND pruned_at IS NULL;
