-- The rest of the provider directory (contracts and their services), contact requests, and the
-- credentials of machines: organisations' API keys and council clients.

-- A contract between the authority and a provider organisation (DOMAIN.md "People and access").
CREATE TABLE identity.contract (
    contract_id     uuid PRIMARY KEY,
    authority_id    uuid NOT NULL REFERENCES identity.authority,
    organisation_id uuid NOT NULL REFERENCES identity.organisation,
    reference       text NOT NULL CHECK (length(reference) BETWEEN 1 AND 50),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    payment_basis   text NOT NULL CHECK (payment_basis IN ('actuals', 'planned')),
    frequency       text NOT NULL CHECK (frequency IN ('weekly', 'four_weekly')),
    pays_frustrated boolean NOT NULL DEFAULT false,
    pays_extras     boolean NOT NULL DEFAULT true,
    vat_registered  boolean NOT NULL DEFAULT false,
    start_date      date,
    end_date        date CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
    active          boolean NOT NULL DEFAULT true,
    revision        integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (authority_id, reference),
    UNIQUE (contract_id, organisation_id)
);
CREATE INDEX contract_by_organisation ON identity.contract (organisation_id);

-- A service under a contract: a site or a service type ("Nursing Home", a foster household).
CREATE TABLE identity.provider_service (
    service_id      uuid PRIMARY KEY,
    authority_id    uuid NOT NULL REFERENCES identity.authority,
    organisation_id uuid NOT NULL,
    contract_id     uuid NOT NULL,
    reference       text NOT NULL CHECK (length(reference) BETWEEN 1 AND 50),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    active          boolean NOT NULL DEFAULT true,
    revision        integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (authority_id, reference),
    FOREIGN KEY (contract_id, organisation_id) REFERENCES identity.contract (contract_id, organisation_id)
);
CREATE INDEX provider_service_by_contract ON identity.provider_service (contract_id);

-- "Request a new contact" by a provider user; the council approves (a user, or a new link for an
-- existing login) or rejects it with a reason.
CREATE TABLE identity.contact_request (
    request_id           uuid PRIMARY KEY,
    authority_id         uuid NOT NULL REFERENCES identity.authority,
    organisation_id      uuid NOT NULL REFERENCES identity.organisation,
    requested_by         uuid NOT NULL REFERENCES identity.app_user,
    forename             text NOT NULL,
    surname              text NOT NULL,
    address              text NOT NULL,
    phone                text NOT NULL,
    email                text NOT NULL CHECK (email = lower(email)),
    role                 text NOT NULL CHECK (role IN ('full', 'finance', 'care', 'admin')),
    can_edit             boolean NOT NULL,
    scope_type           text NOT NULL CHECK (scope_type IN ('organisation', 'contract', 'service')),
    scope_id             uuid NOT NULL,
    status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reason               text,
    decided_at           timestamptz,
    decided_by           text,
    user_id              uuid REFERENCES identity.app_user,
    revision             integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'rejected' OR reason IS NOT NULL)
);
CREATE INDEX contact_request_by_authority ON identity.contact_request (authority_id, status, created_at);
CREATE UNIQUE INDEX contact_request_one_pending ON identity.contact_request (organisation_id, email)
    WHERE status = 'pending';

-- An organisation's API key for its own systems: shown once, stored as a SHA-256 digest (a random
-- 256-bit value needs no slow hash), limited by a role and scope like a user.
CREATE TABLE identity.api_key (
    key_id          uuid PRIMARY KEY,
    authority_id    uuid NOT NULL REFERENCES identity.authority,
    organisation_id uuid NOT NULL REFERENCES identity.organisation,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix          text NOT NULL,
    secret_hash     bytea NOT NULL UNIQUE,
    role            text NOT NULL CHECK (role IN ('full', 'finance', 'care', 'admin')),
    can_edit        boolean NOT NULL,
    scope_type      text NOT NULL CHECK (scope_type IN ('organisation', 'contract', 'service')),
    scope_id        uuid NOT NULL,
    created_by      uuid NOT NULL REFERENCES identity.app_user,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    revoked_by      text
);
CREATE INDEX api_key_by_organisation ON identity.api_key (organisation_id);

-- A council system's client credentials for the /council/v1 API (OAuth 2.0 client credentials).
CREATE TABLE identity.council_client (
    client_id    text PRIMARY KEY,
    authority_id uuid NOT NULL REFERENCES identity.authority,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    secret_hash  bytea NOT NULL,
    can_edit     boolean NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- Memberships may now be scoped to a contract or a service of their organisation.
CREATE INDEX membership_by_scope ON identity.membership (scope_id);
