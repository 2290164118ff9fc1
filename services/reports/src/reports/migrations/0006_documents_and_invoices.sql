-- When each scheduled payment last changed here (its insert or its newer revision): a kept run of a
-- purchase order is reused only if it was asked for after the last change of a payment on the order
-- (reports.store.documents).
ALTER TABLE reports.scheduled_payment ADD COLUMN changed_at timestamptz NOT NULL DEFAULT now();

-- payments.invoice.submitted.v1 and payments.credit_note.issued.v1: every invoice a provider submitted
-- and every credit note (a retraction, or what a payment run took back), with its lines. A document
-- never changes once issued: when it was issued is its revision (the kit's guard keeps it once, however
-- often and in whatever order it is delivered).
CREATE TABLE reports.invoice (
    invoice_id         uuid PRIMARY KEY,
    authority_id       uuid NOT NULL,
    organisation_id    uuid NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number             text NOT NULL,
    supplier_reference text NOT NULL,
    contract_id        uuid NOT NULL,
    contract_reference text NOT NULL,
    provider_reference text,
    issue_date         date NOT NULL,
    excl_vat           numeric(12, 2) NOT NULL,
    vat                numeric(12, 2) NOT NULL,
    total              numeric(12, 2) NOT NULL,
    credits_invoice_id uuid,
    credits_payment_id uuid,
    reason             text,
    issued_at          timestamptz NOT NULL
);
CREATE INDEX invoice_by_organisation ON reports.invoice (authority_id, organisation_id, contract_id, issue_date);

CREATE TABLE reports.invoice_line (
    invoice_id            uuid NOT NULL REFERENCES reports.invoice ON DELETE CASCADE,
    line_no               integer NOT NULL,
    week_id               uuid,
    service_id            uuid,
    week_commencing       date,
    client_id             uuid,
    client_reference      text,
    client_name           text,
    purchase_order_number text,
    cost_code             text,
    excl_vat              numeric(12, 2) NOT NULL,
    vat                   numeric(12, 2) NOT NULL,
    total                 numeric(12, 2) NOT NULL,
    PRIMARY KEY (invoice_id, line_no)
);

-- claims.claim.decided.v1 with decision "accepted": the council's accepted one-off claims and their
-- included items (what payments pays on the "One-Off Claims" order), kept at the claim's highest
-- revision, items replaced whole. A rejected claim is not kept.
CREATE TABLE reports.accepted_claim (
    claim_id        uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid NOT NULL,
    claim_date      date NOT NULL,
    accepted_total  numeric(12, 2) NOT NULL,
    decided_at      timestamptz NOT NULL,
    revision        integer NOT NULL
);
CREATE INDEX accepted_claim_by_organisation ON reports.accepted_claim (authority_id, organisation_id, claim_date);

CREATE TABLE reports.accepted_claim_item (
    claim_id                uuid NOT NULL REFERENCES reports.accepted_claim ON DELETE CASCADE,
    item_id                 uuid NOT NULL,
    client_id               uuid,
    client_reference        text,
    service_level_id        uuid NOT NULL,
    service_level_reference text NOT NULL,
    cost_code               text,
    financial_year          text NOT NULL,
    amount                  numeric(12, 2) NOT NULL,
    PRIMARY KEY (claim_id, item_id)
);
