-- Identity's organisations as this service keeps them (shared.projections.organisations): filled by
-- identity.organisation.upserted events, or by a backfill. Until issue 10 the shared platform migration
-- 0002 created this table in every service; a schema migrated then has it already (platform/0002 stays
-- applied in its history), so IF NOT EXISTS: the same table on a fresh schema and on an old one.
CREATE TABLE IF NOT EXISTS reports.organisation (
    organisation_id uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    name            text NOT NULL,
    reference       text NOT NULL,
    active          boolean NOT NULL,
    revision        integer NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS organisation_by_authority ON reports.organisation (authority_id, name);
