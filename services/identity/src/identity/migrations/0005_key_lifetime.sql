-- API keys no longer outlive their creator's access (issue 9): each key has an expiry, at most the
-- authority's policy allows (default one year). Existing keys expire a year after they were made.

ALTER TABLE identity.authority
    ADD COLUMN api_key_max_days smallint NOT NULL DEFAULT 365 CHECK (api_key_max_days BETWEEN 1 AND 3650);

ALTER TABLE identity.api_key ADD COLUMN expires_at timestamptz;
UPDATE identity.api_key SET expires_at = created_at + interval '1 year';
ALTER TABLE identity.api_key ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX api_key_by_creator ON identity.api_key (created_by);
