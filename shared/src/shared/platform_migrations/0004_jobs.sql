-- Jobs: long work (an import, a report run, a payment run) as the user and operators see it
-- (shared/jobs.py). Applied only to services that declare it ({schema} is replaced by the runner).
CREATE TABLE {schema}.job (
    job_id          uuid PRIMARY KEY,
    authority_id    uuid NOT NULL,
    organisation_id uuid,  -- NULL: the authority's own work, seen only with the whole authority
    kind            text NOT NULL,
    state           text NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    done            bigint NOT NULL DEFAULT 0 CHECK (done >= 0),
    total           bigint CHECK (total >= 0),
    failure_reason  text,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at      timestamptz,
    finished_at     timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (total IS NULL OR done <= total),
    -- A reason exactly when failed; finished exactly when succeeded or failed.
    CHECK ((state = 'failed') = (failure_reason IS NOT NULL)),
    CHECK ((state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL))
);
-- Lists are by tenant, newest first, ending in the unique key (docs/adr/0011-paging.md).
CREATE INDEX job_by_tenant ON {schema}.job (authority_id, organisation_id, created_at DESC, job_id DESC);
