"""The provider directory, maintained by the council: authority settings, organisations, contracts and
services. Each change is saved, audited and published with its full state in one unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from identity import errors
from identity.domain import branding
from identity.handlers.common import authority_by_id
from identity.store import contracts
from identity.store import directory as store
from identity.store.contracts import Contract, Service
from identity.store.directory import Authority, Organisation
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.decisions import rules
from shared.errors import Conflict, Forbidden, NotFound
from shared.events import (
    AuthorityPolicyState,
    AuthorityUpserted,
    ContractUpserted,
    OrganisationUpserted,
    ProviderServiceUpserted,
)
from shared.uow import Actor, Caller, Work


def council_system(authority_id: uuid.UUID, name: str, *, correlation_id: str | None = None) -> Caller:
    """A job of identity's own (the demo seed, a test harness) acting as the authority's council."""
    principal = Principal(
        subject=name,
        kind=PrincipalKind.council_client,
        authority_id=authority_id,
        organisation_id=None,
        role=Role.council,
        can_edit=True,
        scope_type=ScopeType.authority,
        scope_id=None,
    )
    return Caller(principal=principal, actor=Actor.system(name, correlation_id=correlation_id))


async def upsert_organisation(
    caller: Caller,
    work: Work,
    *,
    reference: str,
    name: str,
    active: bool,
    details: Mapping[str, str | None] | None = None,
) -> Organisation:
    """Create or change a provider organisation of the caller's authority and publish its full state.
    `details`: the contact details given (address, postcode, phone, e-mail); those not given stay."""
    principal = caller.principal
    if not principal.is_council or not principal.can_edit:
        raise Forbidden("only the council may maintain organisations")
    async with work.begin(caller.actor) as uow:
        if await store.get_authority(conn=uow.conn, authority_id=principal.authority_id) is None:
            raise NotFound.of("authority")
        organisation = await store.upsert_organisation(
            conn=uow.conn,
            authority_id=principal.authority_id,
            reference=reference,
            name=name,
            active=active,
            details=details,
        )
        await uow.publish(
            OrganisationUpserted(**organisation.model_dump()),
            aggregate_id=organisation.organisation_id,
            authority_id=principal.authority_id,
        )
        await uow.audit(
            "organisation_upserted",
            authority_id=principal.authority_id,
            organisation_id=organisation.organisation_id,
            revision=organisation.revision,
        )
        uow.log(
            "organisation_upserted",
            organisation_id=str(organisation.organisation_id),
            revision=organisation.revision,
        )
    return organisation


COLOUR_FIELDS = ("primary_colour", "secondary_colour")


def checked_colours(values: dict[str, Any]) -> dict[str, Any]:
    """`values` with its colours checked (white header text must stay readable on them) and written in
    lower case; 422 naming the colour otherwise."""
    try:
        return {
            name: branding.header_colour(name, value)
            if name in COLOUR_FIELDS and value is not None
            else value
            for name, value in values.items()
        }
    except branding.BrandingRefused as exc:
        raise errors.invalid_field(exc.field, exc.message) from exc


def authority_event(authority: Authority) -> AuthorityUpserted:
    state = authority.model_dump()
    return AuthorityUpserted(
        **{k: state[k] for k in ("authority_id", "slug", *store.BRANDING_COLUMNS, "revision", "updated_at")},
        policy=AuthorityPolicyState(**{k: state[k] for k in store.POLICY_COLUMNS}),
    )


async def update_authority(caller: Caller, work: Work, *, values: dict[str, Any]) -> Authority:
    """Change the caller's authority's branding and policy; the result must still be a valid policy."""
    principal = caller.principal
    rules.require_decider(principal)
    values = checked_colours(values)
    async with work.begin(caller.actor) as uow:
        current = await authority_by_id(uow.conn, principal.authority_id)
        try:
            store.policy_of(current.model_copy(update=values))
        except ValueError as exc:
            raise errors.bad_policy(str(exc)) from exc
        updated = await store.update_authority(
            conn=uow.conn, authority_id=principal.authority_id, values=values
        )
        assert updated is not None
        await uow.publish(
            authority_event(updated), aggregate_id=principal.authority_id, authority_id=principal.authority_id
        )
        await uow.audit(
            "authority_updated",
            authority_id=principal.authority_id,
            changed=sorted(values),
            revision=updated.revision,
        )
        uow.log("authority_updated", authority_id=str(principal.authority_id), revision=updated.revision)
    return updated


async def upsert_contract(
    caller: Caller, work: Work, *, organisation_id: uuid.UUID, values: Mapping[str, Any]
) -> Contract:
    """Create or change a contract of one of the authority's organisations."""
    principal = caller.principal
    rules.require_decider(principal)
    async with work.begin(caller.actor) as uow:
        organisation = await store.get_organisation(
            conn=uow.conn, authority_id=principal.authority_id, organisation_id=organisation_id
        )
        if organisation is None:
            raise NotFound.of("organisation")
        contract = await contracts.upsert_contract(
            conn=uow.conn, authority_id=principal.authority_id, organisation_id=organisation_id, **values
        )
        if contract is None:
            raise Conflict("a contract with this reference belongs to another organisation")
        await uow.publish(
            ContractUpserted(**contract.model_dump()),
            aggregate_id=contract.contract_id,
            authority_id=principal.authority_id,
        )
        await uow.audit(
            "contract_upserted",
            authority_id=principal.authority_id,
            organisation_id=organisation_id,
            contract=contract.contract_id,
            revision=contract.revision,
        )
        uow.log("contract_upserted", contract_id=str(contract.contract_id), revision=contract.revision)
    return contract


async def upsert_service(
    caller: Caller, work: Work, *, contract_id: uuid.UUID, reference: str, name: str, active: bool
) -> Service:
    """Create or change a service under one of the authority's contracts."""
    principal = caller.principal
    rules.require_decider(principal)
    async with work.begin(caller.actor) as uow:
        contract = await contracts.get_contract(
            conn=uow.conn, authority_id=principal.authority_id, contract_id=contract_id
        )
        if contract is None:
            raise NotFound.of("contract")
        service = await contracts.upsert_service(
            conn=uow.conn,
            authority_id=principal.authority_id,
            contract=contract,
            reference=reference,
            name=name,
            active=active,
        )
        if service is None:
            raise Conflict("a service with this reference belongs to another contract")
        await uow.publish(
            ProviderServiceUpserted(**service.model_dump()),
            aggregate_id=service.service_id,
            authority_id=principal.authority_id,
        )
        await uow.audit(
            "service_upserted",
            authority_id=principal.authority_id,
            organisation_id=service.organisation_id,
            service=service.service_id,
            revision=service.revision,
        )
        uow.log("service_upserted", service_id=str(service.service_id), revision=service.revision)
    return service
