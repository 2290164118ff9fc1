-- Report runs and their rendered artifacts. Rendering happens in render workers (reports.render queue).
CREATE TABLE reports.report_run (
    run_id          uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid,
    report          text NOT NULL,
    format          text NOT NULL CHECK (format IN ('pdf', 'csv')),
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'failed')),
    requested_by    text NOT NULL,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    error           text
);
CREATE INDEX report_run_by_authority ON reports.report_run (authority_id, requested_at DESC);

CREATE TABLE reports.artifact (
    run_id       uuid PRIMARY KEY REFERENCES reports.report_run ON DELETE CASCADE,
    content_type text NOT NULL,
    filename     text NOT NULL,
    body         bytea NOT NULL
);
