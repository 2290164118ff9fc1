-- One-off claims (DOMAIN.md "One-off claims"; seed 004 section 6; docs/claims.md).
--
-- Every row carries authority_id, and every provider-facing row its organisation, so that one scope
-- filter (shared.store.Scope) keeps each caller to their own rows without a join.

-- The clients and their placements as actuals publishes them (actuals.client.upserted.v1,
-- actuals.cpli.upserted.v1): a provider claims only for a client placed with it.
CREATE TABLE claims.client (
    client_id     uuid PRIMARY KEY,
    authority_id  uuid NOT NULL,
    reference     text NOT NULL,
    name          text NOT NULL,
    date_of_birth date,
    revision      integer NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE claims.placement (
    cpli_id         uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    contract_id     uuid NOT NULL,
    service_id      uuid NOT NULL,
    client_id       uuid NOT NULL,
    start_date      date NOT NULL,
    end_date        date,
    authorised      boolean NOT NULL,
    revision        integer NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX placement_by_organisation ON claims.placement (authority_id, organisation_id, client_id);

-- What a provider may claim ("In-House Fostering Placement - Mileage", £0.387 a mile), set by the council.
-- `kind` says where it is offered: on a client item (for a child in placement) or a provider item.
-- `unit_cost` NULL: claimed at cost (the provider enters what they paid, e.g. parking).
-- `all_providers` false: only the organisations of claimable_level_provider may claim it.
CREATE TABLE claims.claimable_level (
    level_id        uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    reference       text NOT NULL,
    name            text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('client', 'provider')),
    unit            text NOT NULL,
    unit_cost       numeric(12, 4) CHECK (unit_cost > 0),
    cost_code       text,
    effective_from  date NOT NULL,
    effective_to    date,
    all_providers   boolean NOT NULL DEFAULT true,
    revision        integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (authority_id, reference),
    CHECK (effective_to IS NULL OR effective_to >= effective_from)
);

CREATE TABLE claims.claimable_level_provider (
    level_id        uuid NOT NULL REFERENCES claims.claimable_level ON DELETE CASCADE,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    PRIMARY KEY (level_id, organisation_id)
);
CREATE INDEX claimable_level_provider_by_organisation
    ON claims.claimable_level_provider (authority_id, organisation_id);

-- A claim: unsubmitted (the provider's draft) -> pending (submitted) -> accepted | rejected (the council).
-- `version` bumps with every change of the claim or its items: a save with a stale version is a conflict.
CREATE TABLE claims.claim (
    claim_id        uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    claim_date      date NOT NULL,
    notes           text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'unsubmitted'
                    CHECK (status IN ('unsubmitted', 'pending', 'accepted', 'rejected')),
    total           numeric(12, 2) NOT NULL DEFAULT 0,
    accepted_total  numeric(12, 2),
    reason          text,
    version         integer NOT NULL DEFAULT 1,
    request_id      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    submitted_at    timestamptz,
    submitted_by    text,
    decided_at      timestamptz,
    decided_by      text
);
CREATE INDEX claim_by_organisation ON claims.claim (authority_id, organisation_id, claim_date DESC);
CREATE INDEX claim_pending ON claims.claim (authority_id, submitted_at) WHERE status = 'pending';

-- One line of a claim. A client item names a client placed with the provider; a provider item none.
-- `unit_cost` kept to 4 places (shown to 2), `amount` = quantity x unit cost, to the penny (half up).
-- `included` and `la_notes` are the council's, set when it decides.
CREATE TABLE claims.claim_item (
    item_id         uuid PRIMARY KEY,
    claim_id        uuid NOT NULL REFERENCES claims.claim ON DELETE CASCADE,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('client', 'provider')),
    position        integer NOT NULL,
    description     text NOT NULL,
    level_id        uuid NOT NULL REFERENCES claims.claimable_level,
    client_id       uuid,
    quantity        numeric(10, 2) NOT NULL CHECK (quantity > 0),
    unit_cost       numeric(12, 4) NOT NULL CHECK (unit_cost > 0),
    unit            text NOT NULL,
    amount          numeric(12, 2) NOT NULL,
    attachment_id   uuid,
    included        boolean,
    la_notes        text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'client') = (client_id IS NOT NULL))
);
CREATE INDEX claim_item_by_claim ON claims.claim_item (claim_id, kind, position);
