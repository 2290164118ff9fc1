"""Organisations' API keys: created and revoked by a provider user with admin functions, shown once,
stored as a digest, never with more role or scope than its creator, and exchanged by the gateway for a
token only while it has not expired and its creator could still create it (issue 9, item 6)."""

from __future__ import annotations

import uuid

from identity import errors
from identity.context import Context
from identity.crypto import digest, new_secret
from identity.domain.access import Holder, ScopeRef, why_key_lapsed
from identity.handlers.common import authority_by_id, require_council_editor, require_organisation
from identity.handlers.contacts import check_delegation
from identity.handlers.principals import IssuedToken, issue, membership_principal
from identity.store import keys
from identity.store.keys import ApiKey, KeyToExchange
from identity.store.users import Grant
from shared.auth import Principal, PrincipalKind
from shared.capabilities import Capability, require_capability
from shared.logging import get_logger
from shared.uow import Actor, Caller

log = get_logger(__name__)
KEY_PREFIX = "ppk_"
DEFAULT_KEY_DAYS = 365


async def create_api_key(
    caller: Caller,
    ctx: Context,
    *,
    name: str,
    role: str,
    can_edit: bool,
    scope_type: str,
    scope_id: uuid.UUID | None,
    valid_days: int | None = None,
) -> tuple[ApiKey, str]:
    """A new key for the caller's organisation (`scope_id` None: the whole of it) with no more role or
    scope than the caller's, valid a year or `valid_days` (at most the authority's policy allows);
    (its record, the key - shown this once)."""
    principal = caller.principal
    require_capability(principal, Capability.api_keys, edit=True)
    if principal.kind is not PrincipalKind.user:
        raise errors.forbidden("API keys are created by people, not by other keys")
    assert principal.organisation_id is not None
    if can_edit and not principal.can_edit:
        raise errors.forbidden("a read-only login cannot create an editing key")
    grant = Grant(
        organisation_id=principal.organisation_id,
        role=role,
        can_edit=can_edit,
        scope_type=scope_type,
        scope_id=scope_id or principal.organisation_id,
    )
    secret = new_secret(KEY_PREFIX)
    async with ctx.work.begin(caller.actor) as uow:
        longest = (await authority_by_id(uow.conn, principal.authority_id)).api_key_max_days
        if valid_days is not None and valid_days > longest:
            raise errors.invalid_field("expires_in_days", f"at most {longest} days (the council's policy)")
        await check_delegation(
            uow.conn, principal, role=grant.role, scope_type=grant.scope_type, scope_id=grant.scope_id
        )
        key = await keys.add_api_key(
            conn=uow.conn,
            authority_id=principal.authority_id,
            name=name,
            prefix=secret[: len(KEY_PREFIX) + 6],
            secret_hash=digest(secret),
            grant=grant,
            created_by=uuid.UUID(principal.subject),
            valid_days=valid_days or min(DEFAULT_KEY_DAYS, longest),
        )
        await uow.audit(
            "api_key_created",
            authority_id=key.authority_id,
            organisation_id=key.organisation_id,
            key=key.key_id,
            role=key.role,
            can_edit=key.can_edit,
            scope_type=key.scope_type,
        )
        uow.log("api_key_created", key_id=str(key.key_id))
    return key, secret


async def list_api_keys(
    caller: Caller, ctx: Context, *, organisation_id: uuid.UUID | None = None, limit: int, offset: int
) -> list[ApiKey]:
    """A provider's keys of its own organisation; the council's of any organisation of its authority."""
    principal = caller.principal
    organisation_id = _organisation(principal, organisation_id, edit=False)
    scope_type, scope_id = _scope(principal, organisation_id)
    async with ctx.work.read() as conn:
        if principal.is_council:
            await require_organisation(conn, principal, organisation_id)
        return await keys.list_api_keys(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=organisation_id,
            scope_type=scope_type,
            scope_id=scope_id,
            limit=limit,
            offset=offset,
        )


async def revoke_api_key(
    caller: Caller, ctx: Context, *, key_id: uuid.UUID, organisation_id: uuid.UUID | None = None
) -> ApiKey:
    """Revoke a key: a provider one of its own organisation, the council any of its authority's."""
    principal = caller.principal
    organisation_id = _organisation(principal, organisation_id, edit=True)
    scope_type, scope_id = _scope(principal, organisation_id)
    async with ctx.work.begin(caller.actor) as uow:
        key = await keys.revoke_api_key(
            conn=uow.conn,
            authority_id=principal.authority_id,
            organisation_id=organisation_id,
            scope_type=scope_type,
            scope_id=scope_id,
            key_id=key_id,
            revoked_by=principal.subject,
        )
        if key is None:
            raise errors.not_found("API key")
        await uow.audit(
            "api_key_revoked", authority_id=key.authority_id, organisation_id=organisation_id, key=key_id
        )
        uow.log("api_key_revoked", key_id=str(key_id))
    return key


def _scope(principal: Principal, organisation_id: uuid.UUID) -> tuple[str, uuid.UUID]:
    """The scope whose keys the caller manages: a provider's own (a contract Admin: that contract's),
    the council's the whole organisation."""
    if principal.is_council:
        return "organisation", organisation_id
    assert principal.scope_id is not None
    return principal.scope_type.value, principal.scope_id


def _organisation(principal: Principal, organisation_id: uuid.UUID | None, *, edit: bool) -> uuid.UUID:
    """The organisation whose keys the caller may manage: a provider's own (admin functions), or the
    one a council caller names."""
    if principal.is_council and organisation_id is not None:
        if edit:
            require_council_editor(principal)
        return organisation_id
    if principal.is_council or organisation_id is not None:
        raise errors.forbidden("the council manages keys with the council API")
    require_capability(principal, Capability.api_keys, edit=edit)
    assert principal.organisation_id is not None
    return principal.organisation_id


async def exchange_api_key(actor: Actor, ctx: Context, *, api_key: str) -> IssuedToken:
    """The gateway's exchange: a live key for a token with the key's role and scope."""
    async with ctx.work.begin(actor) as uow:
        key = await keys.get_api_key_to_exchange(conn=uow.conn, secret_hash=digest(api_key))
        if key is None:
            raise errors.api_key_refused("the API key is not valid or has been revoked")
        _check_still_valid(key)
        await keys.touch_api_key(conn=uow.conn, key_id=key.key_id)
        principal = await membership_principal(
            uow.conn,
            subject=str(key.key_id),
            kind=PrincipalKind.api_key,
            authority_id=key.authority_id,
            grant=key,
            extra={"name": key.name},
        )
    return issue(ctx, principal, ctx.settings.token_ttl_seconds)


def _check_still_valid(key: KeyToExchange) -> None:
    """Refused once the key has expired, or when its creator could no longer create it."""
    if key.expired:
        log.info("api_key_refused", key_id=str(key.key_id), reason="expired")
        raise errors.api_key_refused("the API key has expired; its organisation can create a new one")
    creator = None
    if (
        key.creator_role is not None
        and key.creator_scope_type is not None
        and key.creator_scope_id is not None
    ):
        creator = Holder(
            key.creator_role,
            bool(key.creator_can_edit),
            ScopeRef(key.creator_scope_type, key.creator_scope_id),
        )
    lapsed = why_key_lapsed(
        creator,
        key_role=key.role,
        key_can_edit=key.can_edit,
        key_scope=ScopeRef(key.scope_type, key.scope_id, key.scope_contract_id),
    )
    if lapsed is not None:
        log.info("api_key_refused", key_id=str(key.key_id), reason="creator_access")
        raise errors.api_key_refused("the API key no longer works: " + lapsed)
