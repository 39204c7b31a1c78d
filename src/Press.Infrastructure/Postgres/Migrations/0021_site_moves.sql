-- Version 21: a site moves to another site database (docs/architecture.md §16). The schema a move keeps for the rollback
-- window is in the database the site left, so each kept schema records its database: a restore in place keeps it in
-- the site's own (every row until now), a move in the one it left. A move's backup is recorded with its own trigger.
ALTER TABLE site_restores ADD COLUMN previous_database text;
UPDATE site_restores r SET previous_database = s.db_name FROM sites s WHERE s.id = r.site_id;
ALTER TABLE site_restores ALTER COLUMN previous_database SET NOT NULL;

ALTER TABLE backups DROP CONSTRAINT backups_trigger_check;
ALTER TABLE backups ADD CONSTRAINT backups_trigger_check
    CHECK (trigger IN ('Scheduled', 'Manual', 'PreDelete', 'PreRestore', 'PreUpgrade', 'PreMove'));
