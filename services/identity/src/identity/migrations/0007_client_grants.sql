-- A council client manages other clients or council users only when granted (issue 9): council
-- systems feed reference data; making credentials or staff logins is a person's job unless the council
-- says otherwise for one client.
ALTER TABLE identity.council_client
    ADD COLUMN grants text[] NOT NULL DEFAULT '{}'
        CHECK (grants <@ ARRAY['clients:manage', 'users:manage']::text[]);
