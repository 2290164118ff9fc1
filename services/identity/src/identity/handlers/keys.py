"""Organisations' API keys: created and revoked by a provider user with admin functions, shown once,
stored as a digest, never with more role or scope than its creator, and exchanged by the gateway for a
token only while it has not expired and its creator could still create it (issue 9, item 6)."""

from __future__ import annotations

import uuid
from typing import Any

from identity import errors
from identity.context import Caller, Context
from identity.crypto import digest, new_secret
from identity.domain.access import Holder, ScopeRef, why_key_lapsed
from identity.handlers.common import authority_by_id, record, require_council_editor, require_organisation
from identity.handlers.contacts import check_delegation
from identity.handlers.sessions import IssuedToken, membership_principal, sign
from identity.store import keys
from shared.auth import Principal, PrincipalKind
from shared.capabilities import Capability, require_capability
from shared.logging import get_logger

log = get_logger(__name__)
KEY_PREFIX = "ppk_"
DEFAULT_KEY_DAYS = 365


async def create_api_key(
    ctx: Context,
    caller: Caller,
    principal: Principal,
    *,
    name: str,
    grant: dict[str, Any],
    valid_days: int | None = None,
) -> tuple[dict[str, Any], str]:
    """A new key for the caller's organisation, valid a year or `valid_days` (at most the authority's
    policy allows); (its record, the key - shown this once)."""
    require_capability(principal, Capability.api_keys, edit=True)
    if principal.kind is not PrincipalKind.user:
        raise errors.forbidden("API keys are created by people, not by other keys")
    assert principal.organisation_id is not None
    if grant["can_edit"] and not principal.can_edit:
        raise errors.forbidden("a read-only login cannot create an editing key")
    secret = new_secret(KEY_PREFIX)
    async with ctx.pool.acquire() as conn, conn.transaction():
        longest = (await authority_by_id(conn, principal.authority_id))["api_key_max_days"]
        if valid_days is not None and valid_days > longest:
            raise errors.invalid_field("expires_in_days", f"at most {longest} days (the council's policy)")
        await check_delegation(
            conn, principal, role=grant["role"], scope_type=grant["scope_type"], scope_id=grant["scope_id"]
        )
        key = await keys.add_api_key(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=principal.organisation_id,
            name=name,
            prefix=secret[: len(KEY_PREFIX) + 6],
            secret_hash=digest(secret),
            grant=grant,
            created_by=uuid.UUID(principal.subject),
            valid_days=valid_days or min(DEFAULT_KEY_DAYS, longest),
        )
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="api_key_created",
            organisation_id=principal.organisation_id,
            key=key["key_id"],
            role=grant["role"],
            can_edit=grant["can_edit"],
            scope_type=grant["scope_type"],
        )
    log.info("api_key_created", key_id=str(key["key_id"]))
    return key, secret


async def list_api_keys(
    ctx: Context, principal: Principal, *, organisation_id: uuid.UUID | None = None, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A provider's keys of its own organisation; the council's of any organisation of its authority."""
    organisation_id = _organisation(principal, organisation_id, edit=False)
    async with ctx.pool.acquire() as conn:
        if principal.is_council:
            await require_organisation(conn, principal, organisation_id)
        return await keys.list_api_keys(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=organisation_id,
            **_scope(principal, organisation_id),
            limit=limit,
            offset=offset,
        )


async def revoke_api_key(
    ctx: Context,
    caller: Caller,
    principal: Principal,
    *,
    key_id: uuid.UUID,
    organisation_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Revoke a key: a provider one of its own organisation, the council any of its authority's."""
    organisation_id = _organisation(principal, organisation_id, edit=True)
    async with ctx.pool.acquire() as conn, conn.transaction():
        key = await keys.revoke_api_key(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=organisation_id,
            **_scope(principal, organisation_id),
            key_id=key_id,
            revoked_by=principal.subject,
        )
        if key is None:
            raise errors.not_found("API key")
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="api_key_revoked",
            organisation_id=organisation_id,
            key=key_id,
        )
    log.info("api_key_revoked", key_id=str(key_id))
    return key


def _scope(principal: Principal, organisation_id: uuid.UUID) -> dict[str, Any]:
    """The scope whose keys the caller manages: a provider's own (a contract Admin: that contract's),
    the council's the whole organisation."""
    if principal.is_council:
        return {"scope_type": "organisation", "scope_id": organisation_id}
    assert principal.scope_id is not None
    return {"scope_type": principal.scope_type.value, "scope_id": principal.scope_id}


def _organisation(principal: Principal, organisation_id: uuid.UUID | None, *, edit: bool) -> uuid.UUID:
    """The organisation whose keys the caller may manage: a provider's own (admin functions), or the
    one a council caller names."""
    if principal.is_council and organisation_id is not None:
        if edit:
            require_council_editor(principal)
        return organisation_id
    if principal.is_council or organisation_id is not None:
        raise errors.forbidden("the council manages keys with the council API")
    if edit:
        require_capability(principal, Capability.api_keys, edit=True)
    else:
        require_capability(principal, Capability.api_keys)
    assert principal.organisation_id is not None
    return principal.organisation_id


async def exchange_api_key(ctx: Context, *, api_key: str) -> IssuedToken:
    """The gateway's exchange: a live key for a token with the key's role and scope."""
    async with ctx.pool.acquire() as conn:
        key = await keys.get_api_key_to_exchange(conn=conn, secret_hash=digest(api_key))
        if key is None:
            raise errors.api_key_refused("the API key is not valid or has been revoked")
        if key["expired"]:
            log.info("api_key_refused", key_id=str(key["key_id"]), reason="expired")
            raise errors.api_key_refused("the API key has expired; its organisation can create a new one")
        lapsed = why_key_lapsed(
            _creator(key),
            key_role=key["role"],
            key_can_edit=key["can_edit"],
            key_scope=ScopeRef(key["scope_type"], key["scope_id"], key["scope_contract_id"]),
        )
        if lapsed is not None:
            log.info("api_key_refused", key_id=str(key["key_id"]), reason="creator_access")
            raise errors.api_key_refused("the API key no longer works: " + lapsed)
        await keys.touch_api_key(conn=conn, key_id=key["key_id"])
        principal = await membership_principal(
            conn,
            subject=str(key["key_id"]),
            kind=PrincipalKind.api_key,
            authority_id=key["authority_id"],
            grant=key,
            extra={"name": key["name"]},
        )
    ttl = ctx.settings.token_ttl_seconds
    return IssuedToken(sign(ctx, principal, ttl), ttl, principal)


def _creator(key: dict[str, Any]) -> Holder | None:
    if key["creator_role"] is None:
        return None
    return Holder(
        key["creator_role"],
        key["creator_can_edit"],
        ScopeRef(key["creator_scope_type"], key["creator_scope_id"]),
    )
