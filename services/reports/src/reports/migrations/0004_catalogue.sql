-- Which reports each authority offers (configured through the council API): a report without a row here
-- is offered, as the seeds' catalogues offer every report the service has; a row with enabled = false
-- takes it out of that authority's catalogue (its users can neither see nor run it).
CREATE TABLE reports.catalogue_entry (
    authority_id uuid NOT NULL,
    report       text NOT NULL,
    enabled      boolean NOT NULL,
    updated_by   text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (authority_id, report)
);

-- A run's parameters (as text, reports.domain.parameters.canonical), the job that shows its progress
-- (shared.jobs), and when its file stops being kept ("My reports" lists the runs not expired).
ALTER TABLE reports.report_run
    ADD COLUMN parameters jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN job_id     uuid,
    ADD COLUMN expires_at timestamptz;
CREATE INDEX report_run_by_requester ON reports.report_run (authority_id, requested_by, requested_at DESC);
CREATE INDEX report_run_expiring ON reports.report_run (expires_at) WHERE expires_at IS NOT NULL;
