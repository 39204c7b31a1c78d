-- Version 22: upgrade rehearsals on a scratch copy (issue 16 item 2, docs/architecture.md §20). The scratch is an
-- ordinary site row (its own schema, role, runner port), flagged by rehearsal_of = the live site it copies, so that the
-- ingress never routes it and no site list or count shows it. The rehearsal's id is its RehearseUpgrade job's id.
ALTER TABLE sites ADD COLUMN rehearsal_of uuid REFERENCES sites (id);

CREATE TABLE rehearsals (
    id                 uuid PRIMARY KEY REFERENCES jobs (id),
    site_id            uuid NOT NULL REFERENCES sites (id),
    site_name          text NOT NULL,
    scratch_site_id    uuid NOT NULL REFERENCES sites (id),
    image              text NOT NULL,
    backup_id          uuid NOT NULL,
    outcome            text NOT NULL CHECK (outcome IN ('Running', 'Passed', 'Failed')),
    failed_step        text,
    migrate_ms         bigint,
    migrate_succeeded  boolean,
    migrate_output     text,
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL,
    finished_at        timestamptz
);
CREATE INDEX rehearsals_site ON rehearsals (site_id, created_at DESC);

-- A rollout may rehearse each site first; a site of it is Rehearsing meanwhile.
ALTER TABLE rollouts ADD COLUMN rehearse boolean NOT NULL DEFAULT false;
ALTER TABLE rollout_sites DROP CONSTRAINT rollout_sites_state_check;
ALTER TABLE rollout_sites ADD CONSTRAINT rollout_sites_state_check
    CHECK (state IN ('Pending', 'Upgrading', 'Succeeded', 'Failed', 'Skipped', 'Rehearsing'));
