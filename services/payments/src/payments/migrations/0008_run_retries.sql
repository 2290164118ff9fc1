-- A run whose computing fails (a bug, data it cannot compute) is put off, each time for longer, instead
-- of being taken again at once: the worker takes the oldest run that is due, so one failing run no longer
-- holds up every run started after it, of every council (payments.handlers.runs.process_next).
ALTER TABLE payments.payment_run
    ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    ADD COLUMN retry_after     timestamptz;
