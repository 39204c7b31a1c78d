-- Version 16: the site databases of the cluster (docs/architecture.md §16). Sites spread over several databases so
-- that one site's pg_dump, which reads its database's whole catalog, costs about the same at 1,000 sites as at 10.
-- site_count is kept by a trigger on sites (every path that adds, purges or moves a site keeps it right, even rows a
-- test or an operator inserts by hand); state is 'open' or 'full' as placement last saw it against
-- tenancy.sitesPerDatabase, or 'closed' by an operator (no new sites; the ones there stay).
CREATE TABLE site_databases (
    name        text PRIMARY KEY,
    state       text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'full', 'closed')),
    site_count  integer NOT NULL DEFAULT 0 CHECK (site_count >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Existing installations: every database that holds sites today (press_sites) keeps them and is counted.
INSERT INTO site_databases (name, site_count)
SELECT db_name, count(*) FILTER (WHERE state <> 'Purged') FROM sites GROUP BY db_name;

CREATE FUNCTION site_databases_count() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state <> 'Purged' THEN
        UPDATE site_databases SET site_count = site_count - 1 WHERE name = OLD.db_name;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO site_databases (name, site_count) VALUES (NEW.db_name, 0) ON CONFLICT (name) DO NOTHING;
        IF NEW.state <> 'Purged' THEN
            UPDATE site_databases SET site_count = site_count + 1 WHERE name = NEW.db_name;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER sites_count_per_database AFTER INSERT OR DELETE ON sites
    FOR EACH ROW EXECUTE FUNCTION site_databases_count();
-- Only a move or a purge changes a count: other state changes take no lock on the database's row.
CREATE TRIGGER sites_count_per_database_moved AFTER UPDATE OF db_name, state ON sites
    FOR EACH ROW WHEN (OLD.db_name IS DISTINCT FROM NEW.db_name OR (OLD.state = 'Purged') IS DISTINCT FROM (NEW.state = 'Purged'))
    EXECUTE FUNCTION site_databases_count();
