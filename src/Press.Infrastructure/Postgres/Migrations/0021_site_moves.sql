-- Version 21: a site moves to another site database (docs/architecture.md §16). The schema a move keeps for the rollback
-- window is in the database the site left, so each kept schema records its database: a restore in place keeps it in
-- the site's own (every row until now), a move in the one it left. A move's backup is recorded with its own trigger.
ALTER TABLE site_restores ADD COLUMN previous_database text;
UPDATE site_restores r SET previous_database = s.db_name FROM sites s WHERE s.id = r.site_id;
ALTER TABLE site_restores ALTER COLUMN previous_database SET NOT NULL;
-- A row written without it (by a restore in place, or by hand) keeps its schema in the site's own database.
CREATE FUNCTION site_restores_previous_database() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF NEW.previous_database IS NULL THEN
        NEW.previous_database := (SELECT db_name FROM sites WHERE id = NEW.site_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER site_restores_previous_database BEFORE INSERT ON site_restores
    FOR EACH ROW EXECUTE FUNCTION site_restores_previous_database();

ALTER TABLE backups DROP CONSTRAINT backups_trigger_check;
ALTER TABLE backups ADD CONSTRAINT backups_trigger_check
    CHECK (trigger IN ('Scheduled', 'Manual', 'PreDelete', 'PreRestore', 'PreUpgrade', 'PreMove'));
