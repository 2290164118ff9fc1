-- Purchase orders and remittance advice (docs/purchase-orders.md): what their printable pages need
-- besides the rows of 0002.

-- identity.organisation.upserted.v1 again, for the supplier's postal address on a purchase order
-- (payments.organisation, shared by every service, keeps no address). A second projection of the same
-- event (payments.consumers), guarded by the organisation's revision like the first.
CREATE TABLE payments.supplier (
    organisation_id uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    name            text NOT NULL,
    address         text,
    postcode        text,
    revision        integer NOT NULL,
    updated_at      timestamptz NOT NULL
);

-- The council's words on every purchase order of its authority, set by its finance system
-- (PUT /council/v1/payments/settings); a purchase order shows them empty while unset.
CREATE TABLE payments.council_settings (
    authority_id     uuid PRIMARY KEY,
    payment_terms    text NOT NULL DEFAULT '',
    invoice_address  text NOT NULL DEFAULT '',
    delivery_address text NOT NULL DEFAULT '',
    version          integer NOT NULL DEFAULT 1,
    updated_by       text NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- A purchase order's list filters by year, then service and client.
CREATE INDEX purchase_order_by_year ON payments.purchase_order (authority_id, organisation_id, financial_year);
