-- Version 15: each site's own single sign-on client at the issuer (docs/architecture.md §7). The client secret and
-- DCR's registration access token are sealed with Press:Secrets:Key, like site passwords. The row stays after purge
-- (state Removed), as the site's record does.
CREATE TABLE site_sso (
    site_id                       uuid PRIMARY KEY REFERENCES sites (id),
    provisioning                  text NOT NULL CHECK (provisioning IN ('keycloak-admin', 'dcr')),
    client_id                     text NOT NULL,
    encrypted_secret              bytea NOT NULL,
    issuer_ref                    text,
    encrypted_registration_token  bytea,
    state                         text NOT NULL CHECK (state IN ('Registering', 'Enabled', 'Disabled', 'Removed')),
    frappe_configured             boolean NOT NULL DEFAULT false,
    updated_at                    timestamptz NOT NULL
);
