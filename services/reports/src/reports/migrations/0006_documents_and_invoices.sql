-- When each scheduled payment last changed here (its insert or its newer revision): a kept run of a
-- purchase order is reused only if it was asked for after the last change of a payment on the order
-- (reports.store.documents).
ALTER TABLE reports.scheduled_payment ADD COLUMN changed_at timestamptz NOT NULL DEFAULT now();
