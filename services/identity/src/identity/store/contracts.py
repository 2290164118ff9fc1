"""Contracts and the services under them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import asyncpg

from shared.auth import Principal
from shared.records import Record
from shared.scoping import Columns
from shared.store import AuthorityScope, Scope, Unscoped, fetch, fetch_one, fetch_value


def within_scope(*, type_col: str, id_col: str, type_param: int, id_param: int) -> str:
    """A condition: the row's scope (type_col, id_col) lies within the holder's scope given as
    parameters ($type_param, $id_param: 'organisation' for the whole organisation). Column names and
    parameter numbers come from code, never from a request."""
    t, i = f"${type_param}::text", f"${id_param}::uuid"
    return (
        f"({t} = 'organisation' OR ({type_col} = {t} AND {id_col} = {i})"
        f" OR ({t} = 'contract' AND {type_col} = 'service' AND EXISTS (SELECT 1 FROM identity.provider_service"
        f" ps WHERE ps.service_id = {id_col} AND ps.contract_id = {i})))"
    )


class Contract(Record):
    contract_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    reference: str
    name: str
    payment_basis: str
    frequency: str
    pays_frustrated: bool
    pays_extras: bool
    vat_registered: bool
    start_date: date | None
    end_date: date | None
    active: bool
    revision: int
    updated_at: datetime


class Service(Record):
    service_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    reference: str
    name: str
    active: bool
    revision: int
    updated_at: datetime


CONTRACT_COLUMNS = """
    contract_id, authority_id, organisation_id, reference, name, payment_basis, frequency, pays_frustrated,
    pays_extras, vat_registered, start_date, end_date, active, revision, updated_at
"""
SERVICE_COLUMNS = (
    "service_id, authority_id, organisation_id, contract_id, reference, name, active, revision, updated_at"
)
# The council's writes: the authority is the verified caller's, and the conflict key holds it.
COUNCIL_WRITE = Unscoped("the council's write in its own authority (the conflict key holds the authority)")


async def upsert_contract(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    reference: str,
    name: str,
    payment_basis: str,
    frequency: str,
    pays_frustrated: bool,
    pays_extras: bool,
    vat_registered: bool,
    start_date: date | None,
    end_date: date | None,
    active: bool,
) -> Contract | None:
    """Create the contract with this reference, or change it (never moving it to another organisation:
    None then); bump its revision."""
    return await fetch_one(
        conn,
        Contract,
        f"""
        INSERT INTO identity.contract AS c (contract_id, authority_id, organisation_id, reference, name,
            payment_basis, frequency, pays_frustrated, pays_extras, vat_registered, start_date, end_date, active)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (authority_id, reference) DO UPDATE
           SET name = EXCLUDED.name, payment_basis = EXCLUDED.payment_basis, frequency = EXCLUDED.frequency,
               pays_frustrated = EXCLUDED.pays_frustrated, pays_extras = EXCLUDED.pays_extras,
               vat_registered = EXCLUDED.vat_registered, start_date = EXCLUDED.start_date,
               end_date = EXCLUDED.end_date, active = EXCLUDED.active,
               revision = c.revision + 1, updated_at = now()
         WHERE c.organisation_id = EXCLUDED.organisation_id
        RETURNING {CONTRACT_COLUMNS}
        """,
        uuid.uuid4(),
        authority_id,
        organisation_id,
        reference,
        name,
        payment_basis,
        frequency,
        pays_frustrated,
        pays_extras,
        vat_registered,
        start_date,
        end_date,
        active,
        scope=COUNCIL_WRITE,
    )


async def get_contract(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, contract_id: uuid.UUID
) -> Contract | None:
    """The contract, if it is the authority's."""
    return await fetch_one(
        conn,
        Contract,
        f"SELECT {CONTRACT_COLUMNS} FROM identity.contract WHERE contract_id = $1 AND {{scope}}",
        contract_id,
        scope=AuthorityScope(authority_id),
    )


async def list_contracts(
    *,
    conn: asyncpg.Connection,
    principal: Principal,
    organisation_id: uuid.UUID | None = None,
    limit: int | None,
    offset: int,
) -> list[Contract]:
    """The contracts the caller may see (optionally of one organisation), by name (limit None: all)."""
    return await fetch(
        conn,
        Contract,
        f"SELECT {CONTRACT_COLUMNS} FROM identity.contract"
        " WHERE ($1::uuid IS NULL OR organisation_id = $1) AND {scope}"
        " ORDER BY name, reference, contract_id LIMIT $2 OFFSET $3",
        organisation_id,
        limit,
        offset,
        scope=Scope.of(principal, Columns(contract="contract_id")),
    )


async def upsert_service(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    contract: Contract,
    reference: str,
    name: str,
    active: bool,
) -> Service | None:
    """Create the service with this reference under the contract, or change it (never moving it to
    another contract: None then); bump its revision."""
    return await fetch_one(
        conn,
        Service,
        f"""
        INSERT INTO identity.provider_service AS s (service_id, authority_id, organisation_id, contract_id,
                                                    reference, name, active)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (authority_id, reference) DO UPDATE
           SET name = EXCLUDED.name, active = EXCLUDED.active, revision = s.revision + 1, updated_at = now()
         WHERE s.contract_id = EXCLUDED.contract_id
        RETURNING {SERVICE_COLUMNS}
        """,
        uuid.uuid4(),
        authority_id,
        contract.organisation_id,
        contract.contract_id,
        reference,
        name,
        active,
        scope=COUNCIL_WRITE,
    )


async def list_services(
    *,
    conn: asyncpg.Connection,
    principal: Principal,
    contract_id: uuid.UUID | None = None,
    limit: int | None,
    offset: int,
) -> list[Service]:
    """The services the caller may see (optionally of one contract), by name (limit None: all)."""
    return await fetch(
        conn,
        Service,
        f"SELECT {SERVICE_COLUMNS} FROM identity.provider_service"
        " WHERE ($1::uuid IS NULL OR contract_id = $1) AND {scope}"
        " ORDER BY name, reference, service_id LIMIT $2 OFFSET $3",
        contract_id,
        limit,
        offset,
        scope=Scope.of(principal, Columns(contract="contract_id", service="service_id")),
    )


# The organisation is the caller's own, or one of the council's authority that the handler checked.
IN_ORGANISATION = Unscoped("within the organisation given, which the handler has checked is the caller's")


async def scope_parent(
    *, conn: asyncpg.Connection, organisation_id: uuid.UUID, scope_type: str, scope_id: uuid.UUID
) -> tuple[bool, uuid.UUID | None]:
    """Whether the scope lies in the organisation, and for a service its contract."""
    if scope_type == "organisation":
        return scope_id == organisation_id, None
    if scope_type == "contract":
        found = await fetch_value(
            conn,
            "SELECT true FROM identity.contract WHERE contract_id = $1 AND organisation_id = $2",
            scope_id,
            organisation_id,
            scope=IN_ORGANISATION,
        )
        return bool(found), None
    contract_id = await fetch_value(
        conn,
        "SELECT contract_id FROM identity.provider_service WHERE service_id = $1 AND organisation_id = $2",
        scope_id,
        organisation_id,
        scope=IN_ORGANISATION,
    )
    return contract_id is not None, contract_id
