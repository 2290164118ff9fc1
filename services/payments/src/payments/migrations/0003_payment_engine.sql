-- The payment engine (docs/payments.md "Runs"): readable numbers for the purchase orders, remittances and
-- credit notes a run issues, and the indexes its set-based SQL leans on.

-- One counter for every authority's documents: a number is unique per authority because it is unique
-- everywhere; gaps (a rolled-back run) do not matter, readability does ("PO-2019-000148").
CREATE SEQUENCE payments.document_number;

-- The calendar periods of one frequency starting on one day: how a run finds its contracts.
CREATE INDEX period_by_start ON payments.period (authority_id, start_date);

-- A run is computed chunk by chunk of contracts (by contract id), each chunk in one transaction that also
-- moves this cursor: a worker that dies mid-run leaves whole chunks done and the next one goes on from here.
ALTER TABLE payments.payment_run
    ADD COLUMN computed_through uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
    ADD COLUMN contracts_total integer NOT NULL DEFAULT 0,
    ADD COLUMN contracts_done integer NOT NULL DEFAULT 0;
