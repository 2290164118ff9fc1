"""What identity re-publishes when a consumer asks for a backfill (shared.backfill): the current full
state of every authority, organisation, user, contract and provider service, as the same events its
handlers publish on each change.

Each query gives one row per aggregate with the event's fields as columns, in the shape those handlers
build (a user's memberships: those of active organisations, by organisation name). The queries read
every authority's rows: a backfill is identity's own work for the other services, never a caller's.
"""

from __future__ import annotations

from identity.store.directory import BRANDING_COLUMNS, POLICY_COLUMNS
from shared.backfill import Republisher
from shared.events import (
    AuthorityUpserted,
    ContractUpserted,
    OrganisationUpserted,
    ProviderServiceUpserted,
    UserUpserted,
)

# An authority as `identity.handlers.directory.authority_event` builds it: its branding and its login
# policy (the policy's columns as one object). Reports prints each council's name and colours from it.
AUTHORITIES = f"""
    SELECT authority_id, slug, {", ".join(BRANDING_COLUMNS)},
           json_build_object({", ".join(f"'{c}', {c}" for c in POLICY_COLUMNS)}) AS policy,
           revision, updated_at
      FROM identity.authority
     ORDER BY authority_id
"""

ORGANISATIONS = """
    SELECT organisation_id, authority_id, reference, name, active, address, postcode, phone, email,
           revision, updated_at
      FROM identity.organisation
     ORDER BY organisation_id
"""

USERS = """
    SELECT u.user_id, u.authority_id, u.email, u.forename, u.surname, u.phone, u.is_council, u.active,
           COALESCE(
               (SELECT json_agg(json_build_object(
                           'organisation_id', m.organisation_id, 'role', m.role, 'can_edit', m.can_edit,
                           'scope_type', m.scope_type, 'scope_id', m.scope_id)
                       ORDER BY o.name, m.organisation_id)
                  FROM identity.membership m JOIN identity.organisation o USING (organisation_id)
                 WHERE m.user_id = u.user_id AND o.active),
               '[]'::json) AS memberships,
           u.revision, u.updated_at
      FROM identity.app_user u
     ORDER BY u.user_id
"""

# Every field of the handlers' events (`ContractUpserted(**contract.model_dump())`), closed ones included:
# consumers keep closed contracts and services (`active` false), which older rows still point at.
CONTRACTS = """
    SELECT contract_id, authority_id, organisation_id, reference, name, payment_basis, frequency,
           pays_frustrated, pays_extras, vat_registered, start_date, end_date, active, revision, updated_at
      FROM identity.contract
     ORDER BY contract_id
"""

PROVIDER_SERVICES = """
    SELECT service_id, authority_id, organisation_id, contract_id, reference, name, active, revision,
           updated_at
      FROM identity.provider_service
     ORDER BY service_id
"""

REPUBLISHERS = (
    Republisher(AuthorityUpserted, AUTHORITIES, aggregate_id="authority_id"),
    Republisher(OrganisationUpserted, ORGANISATIONS, aggregate_id="organisation_id"),
    Republisher(UserUpserted, USERS, aggregate_id="user_id"),
    Republisher(ContractUpserted, CONTRACTS, aggregate_id="contract_id"),
    Republisher(ProviderServiceUpserted, PROVIDER_SERVICES, aggregate_id="service_id"),
)
