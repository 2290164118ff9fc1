-- The audit log is written by the shared unit of work (shared.uow), whose table names the subject of an
-- entry `subject_id` in every service (a user here; a claim, an invoice... elsewhere).
ALTER TABLE identity.audit_event RENAME COLUMN subject_user_id TO subject_id;
ALTER INDEX identity.audit_event_by_subject RENAME TO audit_event_by_subject_id;
