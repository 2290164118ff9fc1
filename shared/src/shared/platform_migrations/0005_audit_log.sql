-- The audit log of a service (shared.uow: `uow.audit(...)`), in the service's own schema: who did what,
-- to which subject, from where, with which outcome. `detail` holds ids, reasons and counts, never a secret.
CREATE TABLE {schema}.audit_event (
    audit_id        bigserial PRIMARY KEY,
    authority_id    uuid NOT NULL,
    occurred_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    action          text NOT NULL,
    outcome         text NOT NULL CHECK (outcome IN ('success', 'failure')),
    actor_kind      text NOT NULL,
    actor_id        text,
    subject_id      uuid,
    organisation_id uuid,
    client_address  text,
    request_id      text,
    detail          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_event_by_authority ON {schema}.audit_event (authority_id, occurred_at DESC);
CREATE INDEX audit_event_by_subject ON {schema}.audit_event (subject_id, occurred_at DESC);
