-- Bulk import of actuals (docs/actuals.md "Bulk import"): the uploaded file kept until the job has
-- processed it, every fault of a refused file, and who uploaded it with which scope.

-- A file reference is refused as a duplicate when a pending or imported batch holds it; a refused file
-- may be corrected and sent again under the same reference.
ALTER TABLE actuals.import_batch DROP CONSTRAINT import_batch_authority_id_organisation_id_file_reference_key;
CREATE UNIQUE INDEX import_batch_reference ON actuals.import_batch (authority_id, organisation_id, file_reference)
    WHERE status <> 'refused';

-- The uploader's scope (contract_id/service_id for a contract- or service-scoped user, so that only they
-- and wider scopes see the batch) and their principal, applied again by the job to every lookup.
ALTER TABLE actuals.import_batch
    ADD COLUMN contract_id  uuid,
    ADD COLUMN service_id   uuid,
    ADD COLUMN uploader     jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN file_name    text NOT NULL DEFAULT '',
    ADD COLUMN bytes        bigint NOT NULL DEFAULT 0,
    ADD COLUMN error_count  integer NOT NULL DEFAULT 0,
    ADD COLUMN finished_at  timestamptz;
CREATE INDEX import_batch_pending ON actuals.import_batch (created_at) WHERE status = 'pending';
CREATE INDEX import_batch_by_organisation ON actuals.import_batch (authority_id, organisation_id, created_at DESC);

-- The file itself, from upload until processed (deleted then). `attempts` counts the workers that took
-- it: one that died mid-way leaves the batch pending for the next, but not for ever.
CREATE TABLE actuals.import_file (
    import_id uuid PRIMARY KEY REFERENCES actuals.import_batch ON DELETE CASCADE,
    content   bytea NOT NULL,
    attempts  integer NOT NULL DEFAULT 0
);

-- Every fault of a refused file, in file order (the API shows the first 100, errors.csv all of them).
CREATE TABLE actuals.import_error (
    import_id uuid NOT NULL REFERENCES actuals.import_batch ON DELETE CASCADE,
    seq       integer NOT NULL,
    row       integer NOT NULL,
    "column"  text,
    message   text NOT NULL,
    PRIMARY KEY (import_id, seq)
);
