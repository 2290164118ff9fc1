-- Payments (DOMAIN.md "Payments"; seeds 002-004; docs/payments.md).
--
-- Every row carries authority_id, and every provider-facing row its organisation_id, so that one scope
-- filter (shared.store.Scope) keeps each caller to their own rows without a join. Money is numeric(12,2)
-- (shared.money), never float.

-- === What payments keeps of other services' events (declared projections, payments.consumers) =====

-- identity.contract.upserted.v1: the payment basis, frequency and VAT of each contract.
CREATE TABLE payments.contract (
    contract_id     uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    reference       text NOT NULL,
    name            text NOT NULL,
    payment_basis   text NOT NULL,
    frequency       text NOT NULL,
    pays_frustrated boolean NOT NULL,
    pays_extras     boolean NOT NULL,
    vat_registered  boolean NOT NULL,
    start_date      date,
    end_date        date,
    active          boolean NOT NULL,
    revision        integer NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX contract_by_organisation ON payments.contract (authority_id, organisation_id, name);

-- identity.provider_service.upserted.v1: the services of each contract (purchase orders are per service).
CREATE TABLE payments.provider_service (
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
CREATE INDEX provider_service_by_organisation ON payments.provider_service (authority_id, organisation_id);

-- actuals.client.upserted.v1
CREATE TABLE payments.client (
    client_id     uuid PRIMARY KEY,
    authority_id  uuid NOT NULL,
    reference     text NOT NULL,
    name          text NOT NULL,
    date_of_birth date,
    revision      integer NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- actuals.cpli.upserted.v1: what was commissioned (paid on planned: `cost` each `frequency`).
CREATE TABLE payments.cpli (
    cpli_id          uuid PRIMARY KEY,
    authority_id     uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    contract_id      uuid NOT NULL,
    service_id       uuid NOT NULL,
    client_id        uuid NOT NULL,
    client_reference text NOT NULL,
    service_level_id uuid NOT NULL,
    reference        text NOT NULL,
    care_package_ref text NOT NULL,
    start_date       date NOT NULL,
    end_date         date,
    cost             numeric(12, 2) NOT NULL,
    frequency        text NOT NULL,
    authorised       boolean NOT NULL,
    revision         integer NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX cpli_by_contract ON payments.cpli (contract_id, client_id);
CREATE INDEX cpli_by_organisation ON payments.cpli (authority_id, organisation_id, client_id);

-- actuals.week.confirmed.v1 (and .unlocked.v1, which sets `confirmed` false until it is confirmed again):
-- the weeks paid on actuals, each line with its cost as actuals computed it.
CREATE TABLE payments.confirmed_week (
    week_id         uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    contract_id     uuid NOT NULL,
    service_id      uuid NOT NULL,
    week_commencing date NOT NULL,
    payment_basis   text NOT NULL,
    total           numeric(12, 2) NOT NULL,
    confirmed       boolean NOT NULL,
    confirmed_by    text NOT NULL,
    confirmed_at    timestamptz NOT NULL,
    revision        integer NOT NULL
);
CREATE INDEX confirmed_week_by_contract ON payments.confirmed_week (contract_id, week_commencing);
CREATE INDEX confirmed_week_by_organisation ON payments.confirmed_week (authority_id, organisation_id, week_commencing);

CREATE TABLE payments.confirmed_line (
    week_id          uuid NOT NULL REFERENCES payments.confirmed_week ON DELETE CASCADE,
    line_id          uuid NOT NULL,
    cpli_id          uuid NOT NULL,
    client_id        uuid NOT NULL,
    client_reference text NOT NULL,
    service_level_id uuid NOT NULL,
    total            numeric(12, 2) NOT NULL,
    PRIMARY KEY (week_id, line_id)
);

-- claims.claim.decided.v1 (accepted): the included items payments pays, on the
-- "One-Off Claims - <year>" purchase order.
CREATE TABLE payments.accepted_item (
    item_id                 uuid PRIMARY KEY,
    claim_id                uuid NOT NULL,
    authority_id            uuid NOT NULL,
    organisation_id         uuid NOT NULL,
    client_id               uuid,
    client_reference        text,
    service_level_id        uuid NOT NULL,
    service_level_reference text NOT NULL,
    cost_code               text,
    financial_year          text NOT NULL,
    claim_date              date NOT NULL,
    amount                  numeric(12, 2) NOT NULL,
    decided_at              timestamptz NOT NULL,
    revision                integer NOT NULL
);
CREATE INDEX accepted_item_by_organisation ON payments.accepted_item (authority_id, organisation_id, decided_at);

-- === Payments' own records ===========================================================================

-- A payment schedule per contract, set by the council: weekly or four-weekly periods from an anchor (the
-- first day of a period), and how many days after a period's end its calendar dates fall by default.
CREATE TABLE payments.schedule (
    contract_id       uuid PRIMARY KEY,
    authority_id      uuid NOT NULL,
    organisation_id   uuid NOT NULL,
    frequency         text NOT NULL CHECK (frequency IN ('weekly', 'four_weekly')),
    anchor_date       date NOT NULL,
    amendment_days    integer NOT NULL CHECK (amendment_days >= 0),
    finalisation_days integer NOT NULL CHECK (finalisation_days >= 0),
    pay_days          integer NOT NULL CHECK (pay_days >= 0),
    vat_rate          numeric(5, 4) NOT NULL CHECK (vat_rate >= 0 AND vat_rate < 1),
    version           integer NOT NULL DEFAULT 1,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (amendment_days <= finalisation_days AND finalisation_days <= pay_days)
);

-- The calendar: each period of a schedule with its last date for amendments, finalisation date and pay
-- date (the council can move them, e.g. for Christmas: `moved`).
CREATE TABLE payments.period (
    period_id           uuid PRIMARY KEY,
    authority_id        uuid NOT NULL,
    organisation_id     uuid NOT NULL,
    contract_id         uuid NOT NULL REFERENCES payments.schedule ON DELETE CASCADE,
    start_date          date NOT NULL,
    end_date            date NOT NULL,
    last_amendment_date date NOT NULL,
    finalisation_date   date NOT NULL,
    pay_date            date NOT NULL,
    moved               boolean NOT NULL DEFAULT false,
    UNIQUE (contract_id, start_date),
    CHECK (end_date >= start_date),
    CHECK (last_amendment_date <= finalisation_date AND finalisation_date <= pay_date)
);
CREATE INDEX period_by_organisation ON payments.period (authority_id, organisation_id, start_date);

-- A payment run: the council's run over every contract on one frequency for the period that starts on
-- `period_start`. Computing it (a job, shared.jobs) writes the scheduled payments; finalising it fixes
-- them, publishes payments.payment_run.finalised and issues the remittances.
CREATE TABLE payments.payment_run (
    run_id        uuid PRIMARY KEY,
    authority_id  uuid NOT NULL,
    reference     text NOT NULL,
    frequency     text NOT NULL CHECK (frequency IN ('weekly', 'four_weekly')),
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    job_id        uuid,
    status        text NOT NULL CHECK (status IN ('computing', 'computed', 'finalised')),
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finalised_by  text,
    finalised_at  timestamptz,
    version       integer NOT NULL DEFAULT 1,
    UNIQUE (authority_id, reference),
    UNIQUE (authority_id, frequency, period_start)
);

-- Purchase orders: per client per service per financial year (1 April - 31 March), and one
-- "One-Off Claims - <year>" order per organisation per year (kind 'one_off_claims': no client, no service).
CREATE TABLE payments.purchase_order (
    purchase_order_id uuid PRIMARY KEY,
    authority_id      uuid NOT NULL,
    organisation_id   uuid NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('client', 'one_off_claims')),
    number            text NOT NULL,
    client_id         uuid,
    service_id        uuid,
    contract_id       uuid,
    financial_year    text NOT NULL CHECK (financial_year ~ '^[0-9]{4}/[0-9]{4}$'),
    issued_on         date NOT NULL,
    UNIQUE (authority_id, number),
    CHECK ((kind = 'client') = (client_id IS NOT NULL AND service_id IS NOT NULL))
);
CREATE UNIQUE INDEX purchase_order_once ON payments.purchase_order
    (authority_id, organisation_id, kind, coalesce(client_id, organisation_id), coalesce(service_id, organisation_id), financial_year);

-- A scheduled payment: one contract's payment for one period. unconfirmed -> confirmed | disputed ->
-- finalised. `version` increases with every change (the events' revision; optimistic concurrency).
CREATE TABLE payments.scheduled_payment (
    payment_id      uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    contract_id     uuid NOT NULL,
    period_id       uuid NOT NULL REFERENCES payments.period,
    run_id          uuid NOT NULL REFERENCES payments.payment_run,
    status          text NOT NULL CHECK (status IN ('unconfirmed', 'confirmed', 'disputed', 'finalised')),
    excl_vat        numeric(12, 2) NOT NULL,
    vat             numeric(12, 2) NOT NULL,
    total           numeric(12, 2) NOT NULL,
    confirmed_by    text,
    confirmed_at    timestamptz,
    finalised_at    timestamptz,
    version         integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (period_id),
    CHECK (total = excl_vat + vat)
);
CREATE INDEX scheduled_payment_by_organisation ON payments.scheduled_payment (authority_id, organisation_id, contract_id);
CREATE INDEX scheduled_payment_by_run ON payments.scheduled_payment (run_id);

-- A line of a scheduled payment. `source_key` names what it pays, the same in every run, so that what a
-- source is owed now minus what finalised runs paid it is the next adjustment:
--   'planned:<cpli_id>:<period start>', 'actuals:<line_id>' (a confirmed week's line), 'claim:<item_id>'.
-- status: payable; disputed (by the provider, not paid while it stands); held (left out of a finalised
-- run because disputed: still owed, so the next run pays it if the dispute is resolved for the provider).
CREATE TABLE payments.payment_line (
    line_id           uuid PRIMARY KEY,
    payment_id        uuid NOT NULL REFERENCES payments.scheduled_payment ON DELETE CASCADE,
    authority_id      uuid NOT NULL,
    organisation_id   uuid NOT NULL,
    contract_id       uuid NOT NULL,
    source            text NOT NULL CHECK (source IN ('planned', 'actuals', 'claim')),
    source_key        text NOT NULL,
    client_id         uuid,
    purchase_order_id uuid NOT NULL REFERENCES payments.purchase_order,
    week_id           uuid,
    cost_code         text,
    service_start     date NOT NULL,
    service_end       date NOT NULL,
    adjustment        boolean NOT NULL,
    excl_vat          numeric(12, 2) NOT NULL,
    vat               numeric(12, 2) NOT NULL,
    total             numeric(12, 2) NOT NULL,
    status            text NOT NULL DEFAULT 'payable' CHECK (status IN ('payable', 'disputed', 'held')),
    dispute_reason    text,
    dispute_request_id uuid,
    amended_by        text,
    amend_reason      text,
    UNIQUE (payment_id, source_key),
    CHECK (total = excl_vat + vat),
    CHECK (service_end >= service_start)
);
CREATE INDEX payment_line_by_source ON payments.payment_line (contract_id, source_key);
CREATE INDEX payment_line_by_purchase_order ON payments.payment_line (purchase_order_id);
CREATE INDEX payment_line_by_week ON payments.payment_line (week_id) WHERE week_id IS NOT NULL;

-- A remittance advice: what one finalised run paid on one contract (its lines are the payment's payable
-- lines, fixed once finalised).
CREATE TABLE payments.remittance (
    remittance_id   uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    contract_id     uuid NOT NULL,
    run_id          uuid NOT NULL REFERENCES payments.payment_run,
    payment_id      uuid NOT NULL REFERENCES payments.scheduled_payment,
    reference       text NOT NULL,
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    pay_date        date NOT NULL,
    excl_vat        numeric(12, 2) NOT NULL,
    vat             numeric(12, 2) NOT NULL,
    total           numeric(12, 2) NOT NULL,
    issued_at       timestamptz NOT NULL,
    UNIQUE (payment_id),
    UNIQUE (authority_id, reference)
);
CREATE INDEX remittance_by_organisation ON payments.remittance (authority_id, organisation_id, contract_id, pay_date);

-- Invoices and credit notes: the electronic record. A provider makes an actuals-payable invoice from
-- confirmed weeks (amounts from actuals, never typed); a retraction is a credit note (kind credit_note,
-- negative amounts, `credits_invoice_id`), never an edit. A run that takes money back issues one too
-- (`credits_payment_id`).
CREATE TABLE payments.invoice (
    invoice_id         uuid PRIMARY KEY,
    authority_id       uuid NOT NULL,
    organisation_id    uuid NOT NULL,
    contract_id        uuid NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number             text NOT NULL,
    provider_reference text,
    status             text NOT NULL CHECK (status IN ('draft', 'submitted', 'retracted', 'issued')),
    issue_date         date NOT NULL,
    excl_vat           numeric(12, 2) NOT NULL,
    vat                numeric(12, 2) NOT NULL,
    total              numeric(12, 2) NOT NULL,
    credits_invoice_id uuid REFERENCES payments.invoice,
    credits_payment_id uuid REFERENCES payments.scheduled_payment,
    reason             text,
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    submitted_at       timestamptz,
    version            integer NOT NULL DEFAULT 1,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (authority_id, number),
    CHECK (total = excl_vat + vat)
);
CREATE INDEX invoice_by_organisation ON payments.invoice (authority_id, organisation_id, created_at);

CREATE TABLE payments.invoice_line (
    invoice_id       uuid NOT NULL REFERENCES payments.invoice ON DELETE CASCADE,
    line_no          integer NOT NULL,
    authority_id     uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    week_id          uuid,
    service_id       uuid,
    week_commencing  date,
    client_id        uuid,
    excl_vat         numeric(12, 2) NOT NULL,
    vat              numeric(12, 2) NOT NULL,
    total            numeric(12, 2) NOT NULL,
    -- true while the line's invoice stands (draft or submitted): a week is on one standing invoice only.
    standing         boolean NOT NULL DEFAULT true,
    PRIMARY KEY (invoice_id, line_no)
);
CREATE UNIQUE INDEX invoice_line_week_once ON payments.invoice_line (week_id, client_id)
    WHERE standing AND week_id IS NOT NULL;
