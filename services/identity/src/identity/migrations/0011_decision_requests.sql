-- identity's requests move onto request and decide (shared.decisions): new contacts and organisation
-- detail changes, until now in tables of their own, become kinds of `identity.decision_request`
-- (platform migration 0007, applied before this one), which also takes the new kinds (a contact's
-- removal, a change of a contact's role or scope). Ids, statuses, decisions, revisions and timestamps
-- are kept, so that events already published still describe the same requests.

-- The contact asked for, and the login made or linked on approval. A request for access to a service
-- lies in that service's contract too (the scope filter of contract-scoped admins).
INSERT INTO identity.decision_request (request_id, authority_id, organisation_id, contract_id, service_id,
    kind, subject, exclusive, status, requested_by, decided_by, reason, payload, outcome, revision,
    created_at, decided_at, updated_at)
SELECT r.request_id, r.authority_id, r.organisation_id,
       CASE r.scope_type WHEN 'contract' THEN r.scope_id WHEN 'service' THEN s.contract_id END,
       CASE r.scope_type WHEN 'service' THEN r.scope_id END,
       'new_contact', 'new-contact:' || r.email, true, r.status, r.requested_by::text, r.decided_by, r.reason,
       jsonb_build_object('forename', r.forename, 'surname', r.surname, 'address', r.address,
                          'phone', r.phone, 'email', r.email, 'role', r.role, 'can_edit', r.can_edit,
                          'scope_type', r.scope_type, 'scope_id', r.scope_id),
       CASE WHEN r.user_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('user_id', r.user_id) END,
       r.revision, r.created_at, r.decided_at, r.updated_at
  FROM identity.contact_request r
  LEFT JOIN identity.provider_service s ON r.scope_type = 'service' AND s.service_id = r.scope_id;

-- The details asked for, and which of them differed from the organisation's when asked.
INSERT INTO identity.decision_request (request_id, authority_id, organisation_id, kind, subject, exclusive,
    status, requested_by, decided_by, reason, payload, revision, created_at, decided_at, updated_at)
SELECT r.request_id, r.authority_id, r.organisation_id, 'organisation_change', 'organisation-details', true,
       r.status, r.requested_by::text, r.decided_by, r.reason,
       jsonb_build_object('name', r.name, 'address', r.address, 'postcode', r.postcode, 'phone', r.phone,
                          'email', r.email, 'changed', to_jsonb(r.changed)),
       r.revision, r.created_at, r.decided_at, r.updated_at
  FROM identity.organisation_change_request r;

DROP TABLE identity.contact_request;
DROP TABLE identity.organisation_change_request;

-- Here the authorities and organisations are identity's own: a request can only be for one that exists.
ALTER TABLE identity.decision_request
    ADD CONSTRAINT decision_request_authority_fk FOREIGN KEY (authority_id) REFERENCES identity.authority,
    ADD CONSTRAINT decision_request_organisation_fk
        FOREIGN KEY (organisation_id) REFERENCES identity.organisation;
