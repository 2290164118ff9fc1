-- Identity's authorities as messaging keeps them (identity.authority.upserted.v1, or a backfill): only
-- the slug, which names the authority's pages, so a notification links to `/<slug>/actions/<id>`.
CREATE TABLE messaging.authority (
    authority_id uuid PRIMARY KEY,
    slug         text NOT NULL,
    revision     integer NOT NULL,
    updated_at   timestamptz NOT NULL
);
