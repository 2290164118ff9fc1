-- Request and decide (shared.decisions): what a provider asks of the council (a new contact, a change
-- of organisation details, a claim, a dispute...), pending until council staff approve or reject it
-- (with a reason), or the person who asked withdraws it. One table per service, in its own schema;
-- each kind keeps what it asks for in `payload` and what its approval produced in `outcome`.
CREATE TABLE {schema}.decision_request (
    request_id      uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    -- Where in the organisation the request lies, for the scope filter of contract- and service-scoped
    -- users (shared.scoping): both NULL for the whole organisation.
    contract_id     uuid,
    service_id      uuid CHECK (service_id IS NULL OR contract_id IS NOT NULL),
    kind            text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,59}$'),
    -- What the request is about (a contact, the organisation's details, a claim...), and whether the
    -- kind allows only one pending request per subject in the organisation.
    subject         text CHECK (length(subject) BETWEEN 1 AND 200),
    exclusive       boolean NOT NULL DEFAULT false CHECK (NOT exclusive OR subject IS NOT NULL),
    status          text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    requested_by    text NOT NULL,
    decided_by      text,  -- who approved, rejected or withdrew it
    reason          text CHECK (length(reason) BETWEEN 1 AND 1000),
    payload         jsonb NOT NULL DEFAULT '{}',
    outcome         jsonb NOT NULL DEFAULT '{}',
    revision        integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'rejected' OR reason IS NOT NULL),
    -- Decided (or withdrawn) by someone at a time; pending has neither.
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK ((decided_at IS NULL) = (decided_by IS NULL))
);
CREATE INDEX decision_request_by_authority
    ON {schema}.decision_request (authority_id, kind, status, created_at DESC);
CREATE INDEX decision_request_by_organisation
    ON {schema}.decision_request (organisation_id, kind, created_at DESC);
-- One pending request per subject where the kind says so: a second would race the first's approval.
CREATE UNIQUE INDEX decision_request_one_pending
    ON {schema}.decision_request (organisation_id, subject) WHERE status = 'pending' AND exclusive;
