-- The read model the reports are queried from (reports.store.sources): other services' full-state events
-- kept here (reports.consumers), so a report never calls another service. Every table carries the
-- authority (and the organisation where it has one): every report query is filtered by both.

-- identity.authority.upserted.v1: each council's name and colours, printed on its reports.
CREATE TABLE reports.authority (
    authority_id     uuid PRIMARY KEY,
    slug             text NOT NULL,
    name             text NOT NULL,
    primary_colour   text NOT NULL,
    secondary_colour text NOT NULL,
    revision         integer NOT NULL,
    updated_at       timestamptz NOT NULL
);

-- identity.contract.upserted.v1
CREATE TABLE reports.contract (
    contract_id     uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    reference       text NOT NULL,
    name            text NOT NULL,
    payment_basis   text NOT NULL,
    frequency       text NOT NULL,
    vat_registered  boolean NOT NULL,
    start_date      date,
    end_date        date,
    active          boolean NOT NULL,
    revision        integer NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX contract_by_organisation ON reports.contract (authority_id, organisation_id, name);

-- identity.provider_service.upserted.v1
CREATE TABLE reports.provider_service (
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

-- actuals.client.upserted.v1 (the date of birth is printed on the foster carers' annual statement)
CREATE TABLE reports.client (
    client_id     uuid PRIMARY KEY,
    authority_id  uuid NOT NULL,
    reference     text NOT NULL,
    name          text NOT NULL,
    date_of_birth date,
    revision      integer NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- actuals.service_level.upserted.v1
CREATE TABLE reports.service_level (
    service_level_id uuid PRIMARY KEY,
    authority_id     uuid NOT NULL,
    reference        text NOT NULL,
    name             text NOT NULL,
    unit             text NOT NULL,
    revision         integer NOT NULL,
    updated_at       timestamptz NOT NULL
);

-- actuals.cpli.upserted.v1: what was commissioned.
CREATE TABLE reports.cpli (
    cpli_id          uuid PRIMARY KEY,
    authority_id     uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    contract_id      uuid NOT NULL,
    service_id       uuid NOT NULL,
    client_id        uuid NOT NULL,
    service_level_id uuid NOT NULL,
    reference        text NOT NULL,
    start_date       date NOT NULL,
    end_date         date,
    cost             numeric(12, 2) NOT NULL,
    frequency        text NOT NULL,
    units_per_week   numeric,
    authorised       boolean NOT NULL,
    revision         integer NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX cpli_by_organisation ON reports.cpli (authority_id, organisation_id, contract_id);

-- actuals.week.confirmed.v1 / .unlocked.v1: a week of actuals and its lines; `confirmed` false while
-- the council has it unlocked (its lines stay, as last confirmed).
CREATE TABLE reports.confirmed_week (
    week_id         uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    contract_id     uuid NOT NULL,
    service_id      uuid NOT NULL,
    week_commencing date NOT NULL,
    confirmed       boolean NOT NULL,
    revision        integer NOT NULL
);
CREATE INDEX confirmed_week_by_organisation
    ON reports.confirmed_week (authority_id, organisation_id, week_commencing);

CREATE TABLE reports.confirmed_line (
    week_id          uuid NOT NULL REFERENCES reports.confirmed_week ON DELETE CASCADE,
    line_id          uuid NOT NULL,
    cpli_id          uuid NOT NULL,
    client_id        uuid NOT NULL,
    service_level_id uuid NOT NULL,
    unit             text NOT NULL,
    planned          numeric NOT NULL,
    actual           numeric NOT NULL,
    planned_total    numeric(12, 2) NOT NULL,
    total            numeric(12, 2) NOT NULL,
    PRIMARY KEY (week_id, line_id)
);

-- payments.scheduled_payment.upserted.v1 (and .confirmed/.disputed, which carry the same state): every
-- scheduled payment as it stands, its lines replaced with each newer revision.
CREATE TABLE reports.scheduled_payment (
    payment_id         uuid PRIMARY KEY,
    authority_id       uuid NOT NULL,
    organisation_id    uuid NOT NULL,
    supplier_reference text NOT NULL,
    supplier_name      text NOT NULL,
    contract_id        uuid NOT NULL,
    contract_reference text NOT NULL,
    contract_name      text NOT NULL,
    payment_run_id     uuid NOT NULL,
    period_start       date NOT NULL,
    period_end         date NOT NULL,
    pay_date           date NOT NULL,
    status             text NOT NULL,
    excl_vat           numeric(12, 2) NOT NULL,
    vat                numeric(12, 2) NOT NULL,
    total              numeric(12, 2) NOT NULL,
    revision           integer NOT NULL
);
CREATE INDEX scheduled_payment_by_organisation
    ON reports.scheduled_payment (authority_id, organisation_id, contract_id, period_start);

CREATE TABLE reports.payment_line (
    line_id               uuid PRIMARY KEY,
    payment_id            uuid NOT NULL REFERENCES reports.scheduled_payment ON DELETE CASCADE,
    source                text NOT NULL,
    client_id             uuid,
    client_reference      text,
    client_name           text,
    purchase_order_id     uuid NOT NULL,
    purchase_order_number text NOT NULL,
    cost_code             text,
    service_start         date NOT NULL,
    service_end           date NOT NULL,
    adjustment            boolean NOT NULL,
    excl_vat              numeric(12, 2) NOT NULL,
    vat                   numeric(12, 2) NOT NULL,
    total                 numeric(12, 2) NOT NULL,
    status                text NOT NULL,
    dispute_reason        text
);
CREATE INDEX payment_line_by_payment ON reports.payment_line (payment_id);
CREATE INDEX payment_line_by_purchase_order ON reports.payment_line (purchase_order_id);

-- payments.payment_run.finalised.v1
CREATE TABLE reports.payment_run (
    payment_run_id uuid PRIMARY KEY,
    authority_id   uuid NOT NULL,
    reference      text NOT NULL,
    frequency      text,
    period_start   date,
    period_end     date,
    excl_vat       numeric(12, 2),
    vat            numeric(12, 2),
    total          numeric(12, 2),
    finalised_at   timestamptz NOT NULL
);

-- payments.remittance.issued.v1: what a finalised run paid on one contract, line by line (a remittance
-- never changes once issued).
CREATE TABLE reports.remittance (
    remittance_id         uuid PRIMARY KEY,
    authority_id          uuid NOT NULL,
    organisation_id       uuid NOT NULL,
    supplier_reference    text NOT NULL,
    supplier_name         text NOT NULL,
    reference             text NOT NULL,
    payment_run_id        uuid NOT NULL,
    payment_run_reference text NOT NULL,
    payment_id            uuid NOT NULL,
    contract_id           uuid NOT NULL,
    contract_reference    text NOT NULL,
    contract_name         text NOT NULL,
    period_start          date NOT NULL,
    period_end            date NOT NULL,
    pay_date              date NOT NULL,
    excl_vat              numeric(12, 2) NOT NULL,
    vat                   numeric(12, 2) NOT NULL,
    total                 numeric(12, 2) NOT NULL,
    issued_at             timestamptz NOT NULL
);
CREATE INDEX remittance_by_organisation
    ON reports.remittance (authority_id, organisation_id, contract_id, period_start);
CREATE INDEX remittance_by_pay_date ON reports.remittance (authority_id, organisation_id, pay_date);

CREATE TABLE reports.remittance_line (
    remittance_id         uuid NOT NULL REFERENCES reports.remittance ON DELETE CASCADE,
    line_no               integer NOT NULL,
    line_id               uuid NOT NULL,
    source                text NOT NULL,
    client_id             uuid,
    client_reference      text,
    client_name           text,
    purchase_order_number text NOT NULL,
    cost_code             text,
    service_start         date NOT NULL,
    service_end           date NOT NULL,
    adjustment            boolean NOT NULL,
    invoice_number        text,
    excl_vat              numeric(12, 2) NOT NULL,
    vat                   numeric(12, 2) NOT NULL,
    total                 numeric(12, 2) NOT NULL,
    PRIMARY KEY (remittance_id, line_no)
);
CREATE INDEX remittance_line_by_client ON reports.remittance_line (client_id);
