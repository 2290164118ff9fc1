-- A run's credit note line names the service period it takes back (an invoice line's is its week):
-- a finance system posts the reversal against the period it reverses.
ALTER TABLE payments.invoice_line
    ADD COLUMN service_start date,
    ADD COLUMN service_end   date;
