-- Per-authority policies and branding, users and their organisations, and everything a login needs:
-- password history, login journeys, sessions, the audit log and rate limits.
-- Defaults are the seeds' rules (Telford & Wrekin, seed 003); each authority may tighten them.

ALTER TABLE identity.authority
    ADD COLUMN password_min_length       smallint NOT NULL DEFAULT 12 CHECK (password_min_length BETWEEN 8 AND 128),
    ADD COLUMN password_require_letter   boolean  NOT NULL DEFAULT true,
    ADD COLUMN password_require_non_letter boolean NOT NULL DEFAULT true,
    ADD COLUMN password_require_upper    boolean  NOT NULL DEFAULT false,
    ADD COLUMN password_require_lower    boolean  NOT NULL DEFAULT false,
    ADD COLUMN password_require_digit    boolean  NOT NULL DEFAULT false,
    ADD COLUMN password_require_symbol   boolean  NOT NULL DEFAULT false,
    ADD COLUMN password_expiry_days      smallint NOT NULL DEFAULT 90 CHECK (password_expiry_days BETWEEN 0 AND 3650),
    ADD COLUMN password_history          smallint NOT NULL DEFAULT 12 CHECK (password_history BETWEEN 1 AND 24),
    ADD COLUMN max_password_failures     smallint NOT NULL DEFAULT 3 CHECK (max_password_failures BETWEEN 1 AND 10),
    ADD COLUMN max_code_failures         smallint NOT NULL DEFAULT 3 CHECK (max_code_failures BETWEEN 1 AND 10),
    ADD COLUMN inactivity_lock_days      smallint NOT NULL DEFAULT 30 CHECK (inactivity_lock_days BETWEEN 0 AND 3650),
    ADD COLUMN session_idle_minutes      smallint NOT NULL DEFAULT 30 CHECK (session_idle_minutes >= 1),
    ADD COLUMN session_absolute_minutes  smallint NOT NULL DEFAULT 600 CHECK (session_absolute_minutes >= session_idle_minutes),
    ADD COLUMN primary_colour            text NOT NULL DEFAULT '#1d70b8' CHECK (primary_colour ~ '^#[0-9a-f]{6}$'),
    ADD COLUMN secondary_colour          text NOT NULL DEFAULT '#0b0c0c' CHECK (secondary_colour ~ '^#[0-9a-f]{6}$'),
    ADD COLUMN support_email             text CHECK (support_email ~ '^[^@\s]+@[^@\s]+$'),
    ADD COLUMN support_phone             text,
    ADD COLUMN revision                  integer NOT NULL DEFAULT 1,
    ADD COLUMN updated_at                timestamptz NOT NULL DEFAULT now();

-- A person who logs in. Provider users reach organisations through memberships; council staff
-- (is_council) see their whole authority. E-mails are unique per authority, stored lower-case.
CREATE TABLE identity.app_user (
    user_id                uuid PRIMARY KEY,
    authority_id           uuid NOT NULL REFERENCES identity.authority,
    email                  text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$'),
    forename               text NOT NULL CHECK (length(forename) BETWEEN 1 AND 100),
    surname                text NOT NULL CHECK (length(surname) BETWEEN 1 AND 100),
    phone                  text,
    address                text,
    is_council             boolean NOT NULL DEFAULT false,
    council_can_edit       boolean NOT NULL DEFAULT false,
    active                 boolean NOT NULL DEFAULT true,
    password_hash          text NOT NULL,
    password_changed_at    timestamptz NOT NULL DEFAULT now(),
    must_change_password   boolean NOT NULL DEFAULT true,
    -- AES-GCM (nonce || ciphertext || tag, the user id as associated data); never a hash: the
    -- challenge checks single digits (DESIGN.md "Security model").
    security_code          bytea,
    previous_security_code bytea,
    security_code_set_at   timestamptz,
    -- The pending challenge: kept until answered, so that retrying or restarting cannot re-roll it.
    challenge_positions    smallint[] CHECK (cardinality(challenge_positions) = 2),
    failed_password_count  smallint NOT NULL DEFAULT 0,
    failed_code_count      smallint NOT NULL DEFAULT 0,
    locked_at              timestamptz,
    lock_reason            text CHECK (lock_reason IN ('password_failures', 'code_failures', 'inactivity', 'council')),
    -- The inactivity clock: the last login, or the creation, reset or unlock of the account.
    last_active_at         timestamptz NOT NULL DEFAULT now(),
    last_login_at          timestamptz,
    revision               integer NOT NULL DEFAULT 1,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    UNIQUE (authority_id, email),
    CHECK ((locked_at IS NULL) = (lock_reason IS NULL))
);

-- Role x scope of a provider user in one organisation (DOMAIN.md "People and access").
CREATE TABLE identity.membership (
    user_id         uuid NOT NULL REFERENCES identity.app_user ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES identity.organisation,
    role            text NOT NULL CHECK (role IN ('full', 'finance', 'care', 'admin', 'main')),
    can_edit        boolean NOT NULL,
    scope_type      text NOT NULL CHECK (scope_type IN ('organisation', 'contract', 'service')),
    scope_id        uuid NOT NULL,
    granted_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, organisation_id),
    CHECK (scope_type <> 'organisation' OR scope_id = organisation_id)
);
CREATE INDEX membership_by_organisation ON identity.membership (organisation_id);

-- The hashes of a user's passwords, newest first, for the "not one of the last N" rule.
CREATE TABLE identity.password_history (
    user_id       uuid NOT NULL REFERENCES identity.app_user ON DELETE CASCADE,
    set_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    password_hash text NOT NULL,
    PRIMARY KEY (user_id, set_at)
);

-- A login in progress. The client holds an opaque id; only its SHA-256 is stored.
CREATE TABLE identity.login_journey (
    journey_hash bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES identity.app_user ON DELETE CASCADE,
    step         text NOT NULL CHECK (step IN ('change_password', 'set_security_code', 'security_code_challenge')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX login_journey_by_user ON identity.login_journey (user_id);

-- A browser session after a full login. The cookie holds an opaque id; only its SHA-256 is stored.
-- session_ref is the non-secret name of the session (the `sid` claim, the audit log).
CREATE TABLE identity.session (
    session_hash        bytea PRIMARY KEY,
    session_ref         uuid NOT NULL UNIQUE,
    user_id             uuid NOT NULL REFERENCES identity.app_user ON DELETE CASCADE,
    authority_id        uuid NOT NULL REFERENCES identity.authority,
    organisation_id     uuid REFERENCES identity.organisation,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_seen_at        timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    absolute_expires_at timestamptz NOT NULL,
    revoked_at          timestamptz,
    revoke_reason       text
);
CREATE INDEX session_live_by_user ON identity.session (user_id) WHERE revoked_at IS NULL;

-- Failed logins for e-mails that have no account, so that they lock exactly as a real account does
-- and the lock message cannot tell the two apart. Only a hash of the e-mail is kept.
CREATE TABLE identity.unknown_login (
    authority_id   uuid NOT NULL REFERENCES identity.authority,
    email_hash     bytea NOT NULL,
    failures       smallint NOT NULL DEFAULT 0,
    last_failed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (authority_id, email_hash)
);

-- Forgotten-password requests (seed 000's form). Stored as typed; matched_user_id says whether the
-- e-mail belongs to an account (for the support team only, never for the requester).
CREATE TABLE identity.reset_request (
    request_id        uuid PRIMARY KEY,
    authority_id      uuid NOT NULL REFERENCES identity.authority,
    name              text NOT NULL,
    organisation_name text NOT NULL,
    email             text NOT NULL,
    phone             text NOT NULL,
    matched_user_id   uuid REFERENCES identity.app_user ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- Who did what to access, for council admins. Never a password, code, session id, key or token.
CREATE TABLE identity.audit_event (
    audit_id        bigserial PRIMARY KEY,
    authority_id    uuid NOT NULL REFERENCES identity.authority,
    occurred_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    action          text NOT NULL,
    outcome         text NOT NULL CHECK (outcome IN ('success', 'failure')),
    actor_kind      text NOT NULL,
    actor_id        text,
    subject_user_id uuid,
    organisation_id uuid,
    client_address  text,
    request_id      text,
    detail          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_event_by_authority ON identity.audit_event (authority_id, occurred_at DESC);
CREATE INDEX audit_event_by_subject ON identity.audit_event (subject_user_id, occurred_at DESC);

-- Fixed-window counters for rate limits, shared by every identity replica. The bucket is a hash of
-- what is limited (an account, an address), never the value itself. Unlogged: losing the counters in
-- a crash only resets the windows.
CREATE UNLOGGED TABLE identity.rate_limit (
    bucket       bytea NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
