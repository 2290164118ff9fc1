-- Notifications (docs/messaging.md "Notifications"): who can be told, what they want to be told, and the
-- outbox of e-mails the worker sends.

-- Portal users as identity publishes them (identity.user.upserted, shared.projections kit): the people a
-- notification about a provider's action goes to. No credentials; only what a mail needs.
CREATE TABLE messaging.portal_user (
    user_id      uuid PRIMARY KEY,
    authority_id uuid NOT NULL,
    email        text NOT NULL,
    forename     text NOT NULL,
    surname      text NOT NULL,
    is_council   boolean NOT NULL,
    active       boolean NOT NULL,
    revision     integer NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- Which organisations each user is linked to, and what the link covers (organisation, contract or
-- service): replaced whole when a newer user state is applied (messaging.notifications.users).
CREATE TABLE messaging.portal_user_membership (
    user_id         uuid NOT NULL REFERENCES messaging.portal_user (user_id) ON DELETE CASCADE,
    organisation_id uuid NOT NULL,
    role            text NOT NULL,
    scope_type      text NOT NULL CHECK (scope_type IN ('organisation', 'contract', 'service')),
    scope_id        uuid NOT NULL,
    PRIMARY KEY (user_id, organisation_id, scope_type, scope_id)
);
CREATE INDEX portal_user_membership_by_organisation ON messaging.portal_user_membership (organisation_id);

-- A user's own choice: no non-essential e-mails. Messaging owns it (no other service sends mail). No row:
-- every e-mail is sent.
CREATE TABLE messaging.notification_preference (
    user_id           uuid PRIMARY KEY,
    authority_id      uuid NOT NULL,
    non_essential_off boolean NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- The outbox of e-mails: one row per recipient of a notification, written in the transaction of the
-- change it tells of, sent by the worker (messaging.notifications.sender). `idempotency_key` is the
-- caller's key and the recipient: a handler run twice (a redelivered event) queues nothing twice, and the
-- Message-ID of the mail is derived from it.
CREATE TABLE messaging.notification (
    notification_id   uuid PRIMARY KEY,
    idempotency_key   text NOT NULL UNIQUE,
    authority_id      uuid NOT NULL,
    recipient_user_id uuid,
    recipient_address text NOT NULL,
    subject           text NOT NULL,
    body              text NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('essential', 'non_essential')),
    status            text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sent', 'suppressed', 'failed')),
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    sent_at           timestamptz,
    last_error        text,
    -- Refused at the source too (messaging.notifications.queue): a header never carries a line break.
    CHECK (subject !~ '[\r\n]' AND recipient_address !~ '[\r\n]')
);
-- What the sender claims: the due pending rows, oldest first.
CREATE INDEX notification_due ON messaging.notification (next_attempt_at) WHERE status = 'pending';
