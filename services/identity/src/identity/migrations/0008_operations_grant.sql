-- A council client may be granted `operations` (issue 9): identity then puts the `operator` claim in
-- its token, which every service's /council/v1/<service>/operations API requires (dead letters).
ALTER TABLE identity.council_client
    DROP CONSTRAINT council_client_grants_check,
    ADD CONSTRAINT council_client_grants_check
        CHECK (grants <@ ARRAY['clients:manage', 'users:manage', 'operations']::text[]);
