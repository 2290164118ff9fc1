"""What the provider directory shows: organisations, contracts and services within the caller's scope,
and to the council its authority's settings and contracts."""

from __future__ import annotations

import uuid

from identity.handlers.common import require_organisation
from identity.store import contracts
from identity.store import directory as store
from identity.store.contracts import Contract, Service
from identity.store.directory import Authority, Organisation
from shared.decisions import rules
from shared.errors import NotFound
from shared.scoping import organisation_filter, require_visible
from shared.uow import Caller, Work


async def list_organisations(
    caller: Caller, work: Work, *, limit: int | None, offset: int
) -> list[Organisation]:
    """The council's every organisation of its authority; a provider's its own."""
    authority_id, organisation_id = organisation_filter(caller.principal)
    async with work.read() as conn:
        return await store.list_organisations(
            conn=conn, authority_id=authority_id, organisation_id=organisation_id, limit=limit, offset=offset
        )


async def list_contracts(
    caller: Caller,
    work: Work,
    *,
    council: bool = False,
    organisation_id: uuid.UUID | None = None,
    limit: int | None,
    offset: int,
) -> list[Contract]:
    """The contracts within the caller's scope; the council API's may be of one organisation (404 for
    an organisation that is not the council's authority's)."""
    principal = caller.principal
    if council or organisation_id is not None:
        rules.require_council(principal)
    async with work.read() as conn:
        if organisation_id is not None:
            await require_organisation(conn, principal, organisation_id)
        return await contracts.list_contracts(
            conn=conn, principal=principal, organisation_id=organisation_id, limit=limit, offset=offset
        )


async def list_services(
    caller: Caller, work: Work, *, contract_id: uuid.UUID | None = None, limit: int | None, offset: int
) -> list[Service]:
    """The services within the caller's scope, optionally of one contract the caller may see."""
    principal = caller.principal
    async with work.read() as conn:
        if contract_id is not None:
            contract = await contracts.get_contract(
                conn=conn, authority_id=principal.authority_id, contract_id=contract_id
            )
            if contract is None:
                raise NotFound.of("contract")
            require_visible(
                principal,
                "contract",
                authority_id=contract.authority_id,
                organisation_id=contract.organisation_id,
                contract_id=contract.contract_id,
            )
        return await contracts.list_services(
            conn=conn, principal=principal, contract_id=contract_id, limit=limit, offset=offset
        )


async def my_authority(caller: Caller, work: Work) -> Authority:
    """The council's authority, with its branding and policy."""
    rules.require_council(caller.principal)
    async with work.read() as conn:
        authority = await store.get_authority(conn=conn, authority_id=caller.principal.authority_id)
    if authority is None:
        raise NotFound.of("authority")
    return authority
