-- A run may also be rendered as the accessible HTML view (reports.rendering.html): a fragment the
-- portal shows in its own page, stored as an artifact like a PDF or a CSV.
ALTER TABLE reports.report_run DROP CONSTRAINT IF EXISTS report_run_format_check;
ALTER TABLE reports.report_run
    ADD CONSTRAINT report_run_format_check CHECK (format IN ('pdf', 'csv', 'html'));
