-- A run's job (shared.jobs, the platform migration 0004_jobs.sql): its state and progress as the user
-- sees them, moved by the render worker. NULL for a run recorded before runs had jobs (its render moves
-- no job). IF NOT EXISTS: the run API's own migration may have added the same column first.
ALTER TABLE reports.report_run ADD COLUMN IF NOT EXISTS job_id uuid;
