-- A run that keeps failing stops being retried: after its tenth failure in a row it is 'failed' (its job
-- failed, with the reason the council reads). Starting the same period again resumes it from its cursor
-- (payments.handlers.runs.start_run), with a new job and its failures counted from zero.
ALTER TABLE payments.payment_run
    DROP CONSTRAINT payment_run_status_check,
    ADD CONSTRAINT payment_run_status_check CHECK (status IN ('computing', 'computed', 'failed', 'finalised'));
