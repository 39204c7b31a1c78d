-- Version 7: API tokens that can be revoked, with their lineage (issue 9).

-- The token that minted this one (null: minted with a password). Revoking a token revokes every token under it, and a
-- token is valid only while no token above it is revoked (Identity/TokenRules).
ALTER TABLE api_tokens ADD COLUMN parent_id uuid REFERENCES api_tokens (id);
CREATE INDEX api_tokens_parent_id ON api_tokens (parent_id) WHERE parent_id IS NOT NULL;

-- Every token expires now. Tokens minted before without an expiry get the default cap (tokens.maxLifetimeDays, 90
-- days) from this migration on, so they keep working for a while and none lives forever.
UPDATE api_tokens SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL;
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
