-- Who submitted an invoice, or issued a credit note, and when: what its event carries
-- (payments.invoice.submitted.v1 `submitted_by`/`submitted_at`, payments.credit_note.issued.v1
-- `issued_by`/`issued_at`), kept so that a backfill re-publishes the very event (payments.republishing).
-- A credit note is issued when it is made: its `submitted_at` is that moment.
ALTER TABLE payments.invoice ADD COLUMN submitted_by text;

-- Documents issued before this migration: a provider's credit note was published with its `created_at`;
-- a payment run's already has `submitted_at`. Who submitted an invoice was not kept: its creator is the
-- best that is known (usually the same user; docs/invoices.md says so).
UPDATE payments.invoice SET submitted_at = created_at WHERE kind = 'credit_note' AND submitted_at IS NULL;
UPDATE payments.invoice SET submitted_by = created_by WHERE status <> 'draft';
ALTER TABLE payments.invoice ADD CONSTRAINT invoice_submitted_when_and_by
    CHECK (status = 'draft' OR (submitted_by IS NOT NULL AND submitted_at IS NOT NULL));

-- A payment run's credit note keeps its lines as its event carried them (the client, the purchase order
-- and the cost code of the payment lines it takes back): it names no week, so they cannot be looked up.
-- A provider's lines leave them null and are read from the projections as before.
ALTER TABLE payments.invoice_line
    ADD COLUMN client_reference      text,
    ADD COLUMN client_name           text,
    ADD COLUMN purchase_order_number text,
    ADD COLUMN cost_code             text;
