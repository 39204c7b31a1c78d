-- Version 3: extra host names (custom domains) per site, unique across all sites. Changing them bumps the site's
-- updated_at so the route table's stamp changes.
CREATE TABLE site_domains (
    domain      text PRIMARY KEY,
    site_id     uuid NOT NULL REFERENCES sites (id),
    created_at  timestamptz NOT NULL,
    created_by  text NOT NULL
);
CREATE INDEX site_domains_site ON site_domains (site_id);
