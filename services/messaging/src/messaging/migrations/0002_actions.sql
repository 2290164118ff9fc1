-- Actions and change requests (DOMAIN.md "Actions and change requests"; seed 004 section 4; seed 003
-- "Questions & Actions"; docs/messaging.md).
--
-- Every row carries authority_id, and every provider-facing row its organisation (and, where it lies
-- within one, its contract and service), so that one scope filter (shared.store.Scope) keeps each
-- caller to their own rows without a join.

-- What messaging keeps of other services, to check what an action is "related to" and to name it.
-- identity.provider_service.upserted.v1: a provider's services (sites, service types under a contract).
CREATE TABLE messaging.provider_service (
    service_id      uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    contract_id     uuid NOT NULL,
    reference       text NOT NULL,
    name            text NOT NULL,
    active          boolean NOT NULL,
    revision        integer NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX provider_service_by_organisation ON messaging.provider_service (authority_id, organisation_id);

-- actuals.client.upserted.v1 and actuals.cpli.upserted.v1: a client is one of a provider's when one of
-- its CPLIs places the client with it.
CREATE TABLE messaging.client (
    client_id     uuid PRIMARY KEY,
    authority_id  uuid NOT NULL,
    reference     text NOT NULL,
    name          text NOT NULL,
    revision      integer NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE messaging.placement (
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
CREATE INDEX placement_by_client ON messaging.placement (authority_id, organisation_id, client_id);

-- Per authority configuration, set through the council API (the seeds' values are its defaults).
-- A council team: where actions are assigned ("Brokerage", "Payments", "Provider Portal Admin",
-- "Childrens Services Finance").
CREATE TABLE messaging.team (
    team_id       uuid PRIMARY KEY,
    authority_id  uuid NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX team_name ON messaging.team (authority_id, lower(name));

-- A type of action ("Payments Message", "Foster Carer Query"...): the team it goes to unless the
-- provider chooses another, and the response time that gives its due date (NULL: no due date, "--").
-- `purpose` names the types the service itself uses for actions born of events (a disputed payment,
-- a request to the portal's administrators): one type per purpose in an authority.
CREATE TABLE messaging.action_type (
    type_id         uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    default_team_id uuid NOT NULL REFERENCES messaging.team,
    response_days   integer CHECK (response_days BETWEEN 1 AND 365),
    active          boolean NOT NULL DEFAULT true,
    purpose         text CHECK (purpose IN ('payment_dispute', 'portal_request')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX action_type_name ON messaging.action_type (authority_id, lower(name));
CREATE UNIQUE INDEX action_type_purpose ON messaging.action_type (authority_id, purpose)
    WHERE purpose IS NOT NULL;

-- An action: a thread between a provider and a council team.
-- related_kind: the provider itself, one of its services, one of its clients; 'person' only for a
-- council task about someone who is no provider's known user (a forgotten-password request).
-- assigned_to: whose turn it is (a Reply flips it; a Comment does not). team_id: the council team.
-- status: open -> closure_requested (the provider asked) -> closed (the council, with a reason).
-- source_key: the event that opened it ("payments.dispute_request:<id>"), at most one action per key;
-- closing_key: the decision that closes it (the same request's decision, or a reset of the user).
CREATE TABLE messaging.action (
    action_id          uuid PRIMARY KEY,
    authority_id       uuid NOT NULL,
    organisation_id    uuid,
    contract_id        uuid,
    service_id         uuid CHECK (service_id IS NULL OR contract_id IS NOT NULL),
    type_id            uuid NOT NULL REFERENCES messaging.action_type,
    related_kind       text NOT NULL CHECK (related_kind IN ('provider', 'service', 'client', 'person')),
    related_id         uuid,
    related_label      text NOT NULL,
    team_id            uuid NOT NULL REFERENCES messaging.team,
    assigned_to        text NOT NULL CHECK (assigned_to IN ('provider', 'council')),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    status             text NOT NULL DEFAULT 'open'
                       CHECK (status IN ('open', 'closure_requested', 'closed')),
    closed_reason      text CHECK (length(closed_reason) BETWEEN 1 AND 1000),
    closed_at          timestamptz,
    closed_by          text,
    closure_request_id uuid,
    due_date           date,
    last_post_at       timestamptz NOT NULL,
    origin             text NOT NULL CHECK (origin IN ('provider', 'council', 'event')),
    source_key         text,
    closing_key        text,
    overdue_published  boolean NOT NULL DEFAULT false,  -- its passing of the due date was published
    revision           integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by         text NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (organisation_id IS NOT NULL OR related_kind = 'person'),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL AND closed_reason IS NOT NULL AND closed_by IS NOT NULL))
);
CREATE UNIQUE INDEX action_source ON messaging.action (authority_id, source_key) WHERE source_key IS NOT NULL;
CREATE INDEX action_closing ON messaging.action (authority_id, closing_key) WHERE closing_key IS NOT NULL;
-- A provider's list (newest post first) and a team's inbox, each with the open ones first at hand.
CREATE INDEX action_by_organisation ON messaging.action (authority_id, organisation_id, last_post_at DESC);
CREATE INDEX action_by_team ON messaging.action (authority_id, team_id, last_post_at DESC);
-- The worker's sweep for actions newly past their due date.
CREATE INDEX action_becoming_overdue ON messaging.action (due_date)
    WHERE status <> 'closed' AND NOT overdue_published AND due_date IS NOT NULL;
CREATE INDEX action_open_by_team ON messaging.action (authority_id, team_id, last_post_at DESC)
    WHERE status <> 'closed';

-- One post of a thread. kind: the opening message, a comment (stays with whoever holds it), a reply
-- (passes it to the other side), a closure request, the council's closure, a reassignment (to a team).
-- author_side: who wrote it; author_label: how the thread names them (the organisation or the team).
-- seq: the thread's order (two posts can share a time: a frozen clock, one transaction).
CREATE TABLE messaging.post (
    post_id         uuid PRIMARY KEY,
    seq             bigint GENERATED ALWAYS AS IDENTITY,
    action_id       uuid NOT NULL REFERENCES messaging.action ON DELETE CASCADE,
    authority_id    uuid NOT NULL,
    organisation_id uuid,
    contract_id     uuid,
    service_id      uuid,
    kind            text NOT NULL
                    CHECK (kind IN ('opened', 'comment', 'reply', 'closure_request', 'closed', 'reassigned')),
    author_side     text NOT NULL CHECK (author_side IN ('provider', 'council', 'system')),
    author          text NOT NULL,
    author_label    text NOT NULL,
    text            text NOT NULL CHECK (length(text) <= 7500),
    assigned_after  text NOT NULL CHECK (assigned_after IN ('provider', 'council')),
    team_after      uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX post_by_action ON messaging.post (action_id, seq);
