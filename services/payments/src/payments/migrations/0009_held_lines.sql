-- A run looks up the held lines of its contracts (a held line is not paid again until its source is
-- corrected, payments.store.compute): few rows, found without reading every line of the contract.
CREATE INDEX payment_line_held ON payments.payment_line (contract_id, source_key) WHERE status = 'held';
