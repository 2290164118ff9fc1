-- Care packages and actuals (DOMAIN.md "Care package line items", "Actuals"; docs/actuals.md).
--
-- Every row carries authority_id, and every provider-facing row the organisation, contract and service it
-- belongs to, so that one scope filter (shared.store.Scope with Columns(contract=, service=)) keeps each
-- caller to their own rows without a join.

-- Identity's contracts and services, as this service keeps them (declared projections of
-- identity.contract.upserted and identity.provider_service.upserted).
CREATE TABLE actuals.contract (
    contract_id     uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    reference       text NOT NULL,
    name            text NOT NULL,
    payment_basis   text NOT NULL CHECK (payment_basis IN ('actuals', 'planned')),
    frequency       text NOT NULL,
    pays_frustrated boolean NOT NULL,
    pays_extras     boolean NOT NULL,
    active          boolean NOT NULL,
    revision        integer NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX contract_by_organisation ON actuals.contract (authority_id, organisation_id);

CREATE TABLE actuals.provider_service (
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
CREATE INDEX provider_service_by_organisation ON actuals.provider_service (authority_id, organisation_id, name);

-- A service user, known to the council by its SSRef (`reference`).
CREATE TABLE actuals.client (
    client_id     uuid PRIMARY KEY,
    authority_id  uuid NOT NULL,
    reference     text NOT NULL,
    name          text NOT NULL,
    date_of_birth date,
    revision      integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (authority_id, reference)
);

-- What is commissioned ("Band 4 - Single Room - Long Term"), in a unit, with a rate history.
-- `extras_payable` is the service type's part of the extras rule: extras are paid only where both the
-- contract and the service level pay them.
CREATE TABLE actuals.service_level (
    service_level_id uuid PRIMARY KEY,
    authority_id     uuid NOT NULL,
    reference        text NOT NULL,
    name             text NOT NULL,
    unit             text NOT NULL CHECK (unit IN ('Hours', 'Weeks', 'Nights')),
    extras_payable   boolean NOT NULL DEFAULT true,
    revision         integer NOT NULL DEFAULT 1,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (authority_id, reference)
);

-- The unit rate from `effective_from` until the next row (4 decimal places, as councils price hours).
CREATE TABLE actuals.service_level_rate (
    service_level_id uuid NOT NULL REFERENCES actuals.service_level ON DELETE CASCADE,
    effective_from   date NOT NULL,
    rate             numeric(12, 4) NOT NULL CHECK (rate >= 0),
    PRIMARY KEY (service_level_id, effective_from)
);

-- A care package line item: what the council commissioned for one client from one service.
-- `reference` is the council's own key (bulk upserts match on it); `cost`/`frequency`/`pricing` are the
-- commissioned figures as shown ("£646.06 Weekly", "1 x Placement at £646.06 (Spot)").
CREATE TABLE actuals.cpli (
    cpli_id          uuid PRIMARY KEY,
    authority_id     uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    contract_id      uuid NOT NULL,
    service_id       uuid NOT NULL,
    client_id        uuid NOT NULL REFERENCES actuals.client,
    service_level_id uuid NOT NULL REFERENCES actuals.service_level,
    reference        text NOT NULL,
    care_package_ref text NOT NULL,
    start_date       date NOT NULL,
    end_date         date CHECK (end_date IS NULL OR end_date >= start_date),
    cost             numeric(12, 2) NOT NULL CHECK (cost >= 0),
    frequency        text NOT NULL,
    pricing          text NOT NULL DEFAULT '',
    units_per_week   numeric(8, 2) CHECK (units_per_week IS NULL OR units_per_week >= 0),
    authorised       boolean NOT NULL,
    revision         integer NOT NULL DEFAULT 1,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (authority_id, reference)
);
CREATE INDEX cpli_by_service ON actuals.cpli (service_id, start_date);
CREATE INDEX cpli_by_organisation ON actuals.cpli (authority_id, organisation_id);
CREATE INDEX cpli_by_client ON actuals.cpli (client_id);

-- The planned timetable of a timetabled CPLI: visits on days of the week (0 Monday ... 6 Sunday).
CREATE TABLE actuals.cpli_visit (
    cpli_id    uuid NOT NULL REFERENCES actuals.cpli ON DELETE CASCADE,
    weekday    smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_time time NOT NULL,
    minutes    integer NOT NULL CHECK (minutes > 0),
    carers     smallint NOT NULL DEFAULT 1 CHECK (carers > 0),
    PRIMARY KEY (cpli_id, weekday, start_time)
);

-- One service's week of actuals. `state`: open (the provider may change it), confirmed (read-only to
-- the provider until the council unlocks it), locked (in a finalised payment run: for good).
-- `version` rises with every change to the week or its lines: a save names the version it started
-- from and is refused as a conflict when the week moved on (two people, or an import, at once).
-- Every writer locks the week row (SELECT ... FOR UPDATE) before touching its lines.
CREATE TABLE actuals.actual_week (
    week_id          uuid PRIMARY KEY,
    authority_id     uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    contract_id      uuid NOT NULL,
    service_id       uuid NOT NULL,
    week_commencing  date NOT NULL CHECK (extract(isodow FROM week_commencing) = 1),
    state            text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'confirmed', 'locked')),
    version          integer NOT NULL DEFAULT 1,
    confirmed_at     timestamptz,
    confirmed_by     text,
    locked_at        timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (service_id, week_commencing)
);
CREATE INDEX actual_week_by_organisation ON actuals.actual_week (authority_id, organisation_id, week_commencing);

-- One client's line of a week (one per CPLI). `entered` is false until someone records actuals on it
-- (a generated line holds the plan only). Costs are computed by actuals.domain.costs when written.
-- `client_id` is the CPLI's client, copied for the page's filters: no foreign key of its own (the CPLI's
-- names the client already), because every foreign key is a lookup and a row lock for each line written,
-- and a bulk import writes 100,000 lines in one statement (docs/benchmarks.md).
CREATE TABLE actuals.actual_line (
    line_id          uuid PRIMARY KEY,
    week_id          uuid NOT NULL REFERENCES actuals.actual_week ON DELETE CASCADE,
    authority_id     uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    contract_id      uuid NOT NULL,
    service_id       uuid NOT NULL,
    cpli_id          uuid NOT NULL REFERENCES actuals.cpli,
    client_id        uuid NOT NULL,
    actual           numeric(8, 2) NOT NULL DEFAULT 0 CHECK (actual >= 0),
    planned          numeric(8, 2) NOT NULL DEFAULT 0 CHECK (planned >= 0),
    frustrated       numeric(8, 2) NOT NULL DEFAULT 0 CHECK (frustrated >= 0),
    missed           numeric(8, 2) NOT NULL DEFAULT 0 CHECK (missed >= 0),
    extra            numeric(8, 2) NOT NULL DEFAULT 0 CHECK (extra >= 0),
    visits           integer CHECK (visits IS NULL OR visits >= 0),
    comment          text NOT NULL DEFAULT '',
    unit_rate        numeric(12, 4) NOT NULL DEFAULT 0,
    averaged         boolean NOT NULL DEFAULT false,
    total            numeric(12, 2) NOT NULL DEFAULT 0,
    planned_total    numeric(12, 2) NOT NULL DEFAULT 0,
    entered          boolean NOT NULL DEFAULT false,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text,
    UNIQUE (week_id, cpli_id)
);

-- The visits of a timetabled line: delivered, frustrated (the service user was not there), missed (the
-- provider did not come) or extra. The line's figures are derived from them.
CREATE TABLE actuals.actual_visit (
    visit_id     uuid PRIMARY KEY,
    line_id      uuid NOT NULL REFERENCES actuals.actual_line ON DELETE CASCADE,
    authority_id uuid NOT NULL,
    visit_date   date NOT NULL,
    start_time   time NOT NULL,
    minutes      integer NOT NULL CHECK (minutes > 0),
    carers       smallint NOT NULL DEFAULT 1 CHECK (carers > 0),
    status       text NOT NULL CHECK (status IN ('delivered', 'frustrated', 'missed', 'extra'))
);
CREATE INDEX actual_visit_by_line ON actuals.actual_visit (line_id, visit_date, start_time);

-- Every confirmation and unlock of a week, as history (the council's "confirmations" list).
CREATE TABLE actuals.confirmation (
    confirmation_id uuid PRIMARY KEY,
    week_id         uuid NOT NULL REFERENCES actuals.actual_week ON DELETE CASCADE,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    contract_id     uuid NOT NULL,
    service_id      uuid NOT NULL,
    week_commencing date NOT NULL,
    action          text NOT NULL CHECK (action IN ('confirmed', 'unlocked', 'locked')),
    at              timestamptz NOT NULL DEFAULT now(),
    by_subject      text NOT NULL,
    reason          text NOT NULL DEFAULT '',
    lines           integer NOT NULL DEFAULT 0,
    total           numeric(14, 2) NOT NULL DEFAULT 0,
    planned_total   numeric(14, 2) NOT NULL DEFAULT 0
);
CREATE INDEX confirmation_by_organisation ON actuals.confirmation (authority_id, organisation_id, at DESC);

-- An imported file, by its file reference: a reference seen before is refused as a duplicate.
CREATE TABLE actuals.import_batch (
    import_id       uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    file_reference  text NOT NULL,
    job_id          uuid,
    rows            integer NOT NULL DEFAULT 0,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'imported', 'refused')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL,
    UNIQUE (authority_id, organisation_id, file_reference)
);
