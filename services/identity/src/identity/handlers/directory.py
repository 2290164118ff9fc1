"""The provider directory, maintained by the council: authority settings, organisations, contracts and
services. Each change is saved and published with its full state in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from identity import errors
from identity.context import Context
from identity.handlers.common import authority_by_id, require_council_editor
from identity.store import contracts
from identity.store import directory as store
from shared.auth import Principal
from shared.bus import Outbox
from shared.events import (
    AuthorityPolicyState,
    AuthorityUpserted,
    ContractUpserted,
    OrganisationUpserted,
    ProviderServiceUpserted,
    make_envelope,
)
from shared.logging import get_logger
from shared.uow import Caller

log = get_logger(__name__)


async def upsert_organisation(
    *,
    pool: asyncpg.Pool,
    outbox: Outbox,
    authority_id: uuid.UUID,
    reference: str,
    name: str,
    active: bool,
    correlation_id: str | None,
    details: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """Save the organisation and publish its full state, in one transaction. `details`: the contact
    details given (address, postcode, phone, e-mail); those not given stay as they are."""
    async with pool.acquire() as conn, conn.transaction():
        org = await store.upsert_organisation(
            conn=conn,
            authority_id=authority_id,
            reference=reference,
            name=name,
            active=active,
            details=details,
        )
        event = OrganisationUpserted(**org)
        await outbox.add(
            conn,
            make_envelope(
                event,
                aggregate_id=org["organisation_id"],
                authority_id=authority_id,
                correlation_id=correlation_id,
            ),
        )
    log.info("organisation_upserted", organisation_id=str(org["organisation_id"]), revision=org["revision"])
    return org


def authority_event(authority: dict[str, Any]) -> AuthorityUpserted:
    return AuthorityUpserted(
        **{
            k: authority[k]
            for k in ("authority_id", "slug", *store.BRANDING_COLUMNS, "revision", "updated_at")
        },
        policy=AuthorityPolicyState(**{k: authority[k] for k in store.POLICY_COLUMNS}),
    )


async def update_authority(
    ctx: Context, caller: Caller, principal: Principal, *, values: dict[str, Any]
) -> dict[str, Any]:
    """Change the caller's authority's branding and policy; the result must still be a valid policy."""
    require_council_editor(principal)
    async with ctx.work.begin(caller.actor) as uow:
        conn = uow.conn
        current = await authority_by_id(conn, principal.authority_id)
        try:
            store.policy_of(current.model_copy(update=values))
        except ValueError as exc:
            raise errors.bad_policy(str(exc)) from exc
        updated = await store.update_authority(conn=conn, authority_id=principal.authority_id, values=values)
        assert updated is not None
        await uow.publish(
            authority_event(updated),
            aggregate_id=principal.authority_id,
            authority_id=principal.authority_id,
        )
    log.info("authority_updated", authority_id=str(principal.authority_id), revision=updated["revision"])
    return updated


async def upsert_contract(
    ctx: Context, caller: Caller, principal: Principal, *, organisation_id: uuid.UUID, values: dict[str, Any]
) -> dict[str, Any]:
    """Create or change a contract of one of the authority's organisations."""
    require_council_editor(principal)
    async with ctx.work.begin(caller.actor) as uow:
        conn = uow.conn
        organisation = await store.get_organisation(
            conn=conn, authority_id=principal.authority_id, organisation_id=organisation_id
        )
        if organisation is None:
            raise errors.not_found("organisation")
        contract = await contracts.upsert_contract(
            conn=conn, authority_id=principal.authority_id, organisation_id=organisation_id, **values
        )
        if contract is None:
            raise errors.conflict("a contract with this reference belongs to another organisation")
        await uow.publish(
            ContractUpserted(**contract),
            aggregate_id=contract["contract_id"],
            authority_id=principal.authority_id,
        )
    log.info("contract_upserted", contract_id=str(contract["contract_id"]), revision=contract["revision"])
    return contract


async def upsert_service(
    ctx: Context,
    caller: Caller,
    principal: Principal,
    *,
    contract_id: uuid.UUID,
    reference: str,
    name: str,
    active: bool,
) -> dict[str, Any]:
    """Create or change a service under one of the authority's contracts."""
    require_council_editor(principal)
    async with ctx.work.begin(caller.actor) as uow:
        conn = uow.conn
        contract = await contracts.get_contract(
            conn=conn, authority_id=principal.authority_id, contract_id=contract_id
        )
        if contract is None:
            raise errors.not_found("contract")
        service = await contracts.upsert_service(
            conn=conn,
            authority_id=principal.authority_id,
            contract=contract,
            reference=reference,
            name=name,
            active=active,
        )
        if service is None:
            raise errors.conflict("a service with this reference belongs to another contract")
        await uow.publish(
            ProviderServiceUpserted(**service),
            aggregate_id=service["service_id"],
            authority_id=principal.authority_id,
        )
    log.info("service_upserted", service_id=str(service["service_id"]), revision=service["revision"])
    return service
