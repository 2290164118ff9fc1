-- Projection of identity's organisations, kept by every service that shows or filters by them.
-- Applied only to services that declare it (identity owns the real table).
CREATE TABLE {schema}.organisation (
    organisation_id uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    name            text NOT NULL,
    reference       text NOT NULL,
    active          boolean NOT NULL,
    revision        integer NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX organisation_by_authority ON {schema}.organisation (authority_id, name);
