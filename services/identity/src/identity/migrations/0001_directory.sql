-- Authorities (tenants) and provider organisations: the source of truth for every other service.
CREATE TABLE identity.authority (
    authority_id uuid PRIMARY KEY,
    slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]{2,40}$'),
    name         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE identity.organisation (
    organisation_id uuid PRIMARY KEY,
    authority_id    uuid NOT NULL REFERENCES identity.authority,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    reference       text NOT NULL CHECK (length(reference) BETWEEN 1 AND 50),
    active          boolean NOT NULL DEFAULT true,
    revision        integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (authority_id, reference)
);
