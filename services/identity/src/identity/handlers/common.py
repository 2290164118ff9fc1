"""What several handlers share: the audit entry, rate limits, loading an authority, the council's
guards. (The requests a provider makes and the council decides are shared.decisions.)"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from identity import errors
from identity.context import Caller, Context
from identity.crypto import keyed_digest
from identity.store import audit, directory, keys, limits
from shared.auth import Principal, PrincipalKind


async def record(
    conn: asyncpg.Connection,
    caller: Caller,
    *,
    authority_id: uuid.UUID,
    action: str,
    outcome: str = "success",
    subject_user_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    **detail: Any,
) -> None:
    """One audit entry. `detail` takes ids, reasons and counts only: never a secret."""
    await audit.add_audit(
        conn=conn,
        authority_id=authority_id,
        action=action,
        outcome=outcome,
        actor_kind=caller.actor_kind,
        actor_id=caller.actor_id,
        subject_user_id=subject_user_id,
        organisation_id=organisation_id,
        client_address=caller.address,
        request_id=caller.request_id,
        detail={k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in detail.items()},
    )


# What each limited endpoint is called in a refusal.
LIMITED = {"login": "login", "reset": "password reset", "token": "token request"}


async def enforce_limits(
    conn: asyncpg.Connection, ctx: Context, caller: Caller, *, purpose: str, account: tuple[str, ...]
) -> None:
    """429 when the account (an authority and e-mail, or a client id) or the address has had too many
    attempts in the last window (sliding, not fixed blocks). Checked before any password or secret is
    hashed, so that a flood costs no CPU."""
    s = ctx.settings
    per_account, per_address, window = {
        "login": (s.login_limit_per_account, s.login_limit_per_address, s.login_limit_window_seconds),
        "reset": (s.reset_limit_per_account, s.reset_limit_per_address, s.reset_limit_window_seconds),
        "token": (s.token_limit_per_client, s.token_limit_per_address, s.token_limit_window_seconds),
    }[purpose]
    checks = [(keyed_digest(purpose, "account", *account), per_account)]
    if caller.address:
        checks.append((keyed_digest(purpose, "address", caller.address), per_address))
    exceeded = []
    for bucket, limit in checks:  # every attempt counts against every bucket, refused ones too
        hits, retry_after = await limits.hit(conn=conn, bucket=bucket, limit=limit, window_seconds=window)
        if hits > limit:
            exceeded.append(retry_after)
    if exceeded:
        raise errors.rate_limited(max(exceeded), LIMITED[purpose])


async def authority_by_slug(conn: asyncpg.Connection, slug: str) -> dict[str, Any]:
    authority = await directory.get_authority_by_slug(conn=conn, slug=slug)
    if authority is None:
        raise errors.unknown_authority(slug)
    return authority


async def authority_by_id(conn: asyncpg.Connection, authority_id: uuid.UUID) -> dict[str, Any]:
    authority = await directory.get_authority(conn=conn, authority_id=authority_id)
    if authority is None:
        raise errors.not_found("authority")
    return authority


async def require_organisation(
    conn: asyncpg.Connection, principal: Principal, organisation_id: uuid.UUID
) -> None:
    """404 unless the organisation is the caller's authority's."""
    organisation = await directory.get_organisation(
        conn=conn, authority_id=principal.authority_id, organisation_id=organisation_id
    )
    if organisation is None:
        raise errors.not_found("organisation")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def require_council_editor(principal: Principal) -> None:
    if not principal.is_council:
        raise errors.forbidden("only the council can do this")
    if not principal.can_edit:
        raise errors.forbidden("your council access is read-only")


CLIENTS_MANAGE = "clients:manage"  # a council client may create and revoke other clients
USERS_MANAGE = "users:manage"  # ... may create council users, and unlock or reset their passwords
OPERATIONS = "operations"  # ... gets the operator claim: every service's dead-letters API


async def require_client_grant(conn: asyncpg.Connection, principal: Principal, grant: str) -> None:
    """A council client (a machine) may manage clients or council users only with that grant; council
    staff (people) need none. An unknown or revoked client has no grants."""
    if principal.kind is not PrincipalKind.council_client:
        return
    client = await keys.get_council_client(conn=conn, client_id=principal.subject)
    if client is None or client["revoked_at"] is not None or grant not in client["grants"]:
        raise errors.forbidden(f"this council client has not been granted {grant!r}")
