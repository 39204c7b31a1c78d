-- Version 23: the name a site's runtime resources were made under, when it is not the site's name
-- (docs/architecture.md §17). A standby claimed under the Docker driver keeps the containers and volumes of its opaque
-- standby name: Docker cannot rename a volume, and the site folder's name inside the runner is only where that volume
-- is mounted. The claim records it (runtime_name = the standby's name); NULL, as for every existing row, means the
-- resources are named after the site itself, so sites made before this version keep their containers and volumes.
ALTER TABLE sites ADD COLUMN runtime_name text;
