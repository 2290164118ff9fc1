-- Attachments: files uploaded to the service (shared/attachments). Applied only to services that
-- declare it ({schema} is replaced by the runner). The metadata is always here; the bytes are in
-- attachment_content, or in the object store when the row says backend = 's3'.
CREATE TABLE {schema}.attachment (
    attachment_id   uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid,  -- NULL: the authority's own file, seen only with the whole authority
    owner_kind      text NOT NULL,  -- what it is attached to, e.g. 'claim'
    owner_id        uuid NOT NULL,
    filename        text NOT NULL,
    content_type    text NOT NULL,
    size_bytes      bigint NOT NULL CHECK (size_bytes > 0),
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    backend         text NOT NULL CHECK (backend IN ('database', 's3')),
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_by      text NOT NULL
);
CREATE INDEX attachment_by_owner ON {schema}.attachment (authority_id, owner_kind, owner_id, created_at);

CREATE TABLE {schema}.attachment_content (
    attachment_id uuid PRIMARY KEY REFERENCES {schema}.attachment ON DELETE CASCADE,
    content       bytea NOT NULL
);
-- PDFs, images and Office files are compressed already: store them out of line without trying again.
ALTER TABLE {schema}.attachment_content ALTER COLUMN content SET STORAGE EXTERNAL;
