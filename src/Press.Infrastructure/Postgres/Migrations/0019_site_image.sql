-- Version 19: each site's runner image (docs/architecture.md §18). runner_image is the reference the site's runner is
-- created from (a tag, or the process driver's bench path); NULL: the setting runtime.image (or the driver's default)
-- decides, as before. runner_image_id is what the runtime last reported it runs (Docker's image ID, the process
-- driver's bench version). An upgrade's backup is recorded with its own trigger.
ALTER TABLE sites ADD COLUMN runner_image text, ADD COLUMN runner_image_id text;
ALTER TABLE backups DROP CONSTRAINT backups_trigger_check;
ALTER TABLE backups ADD CONSTRAINT backups_trigger_check
    CHECK (trigger IN ('Scheduled', 'Manual', 'PreDelete', 'PreRestore', 'PreUpgrade'));
