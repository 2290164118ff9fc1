-- An organisation's own contact details (the seeds' "Organisation Details"; the provider address of a
-- purchase order), and the changes to them that a provider asks for and the council decides.

ALTER TABLE identity.organisation
    ADD COLUMN address  text CHECK (length(address) BETWEEN 1 AND 500),
    ADD COLUMN postcode text CHECK (length(postcode) BETWEEN 1 AND 10),
    ADD COLUMN phone    text CHECK (length(phone) BETWEEN 1 AND 40),
    ADD COLUMN email    text CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$');

-- "Request changes to Organisation Details" by a provider Admin or Full (Edit) user. The details asked
-- for are stored whole; `changed` names those that differ from the organisation's when asked, and only
-- those are applied on approval (a change the council made meanwhile to another detail is kept).
CREATE TABLE identity.organisation_change_request (
    request_id      uuid PRIMARY KEY,
    authority_id    uuid NOT NULL REFERENCES identity.authority,
    organisation_id uuid NOT NULL REFERENCES identity.organisation,
    requested_by    uuid NOT NULL REFERENCES identity.app_user,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address         text NOT NULL,
    postcode        text NOT NULL,
    phone           text NOT NULL,
    email           text NOT NULL CHECK (email = lower(email)),
    changed         text[] NOT NULL CHECK (cardinality(changed) >= 1
                        AND changed <@ ARRAY['name', 'address', 'postcode', 'phone', 'email']),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reason          text,
    decided_at      timestamptz,
    decided_by      text,
    revision        integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'rejected' OR reason IS NOT NULL)
);
CREATE INDEX organisation_change_request_by_authority
    ON identity.organisation_change_request (authority_id, status, created_at);
-- One change waiting at a time: a second would race the first's approval.
CREATE UNIQUE INDEX organisation_change_request_one_pending
    ON identity.organisation_change_request (organisation_id) WHERE status = 'pending';
