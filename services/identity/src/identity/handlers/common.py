"""What several handlers share: rate limits, a unit that keeps its refusals, loading an authority, the
council's guards, a user's memberships. (The requests a provider makes and the council decides are
shared.decisions: handlers/decisions.py.)"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from identity import errors
from identity.context import Context
from identity.crypto import keyed_digest
from identity.store import directory, keys, limits
from identity.store import memberships as membership_store
from identity.store.directory import Authority
from identity.store.users import Membership
from shared.auth import Principal, PrincipalKind
from shared.errors import DomainError
from shared.uow import Actor, UnitOfWork, Work


@asynccontextmanager
async def keeping_refusals(work: Work, actor: Actor) -> AsyncIterator[UnitOfWork]:
    """A unit of work whose refusals are answers, not failures: what it wrote before a domain error (a
    failure counted, an account locked, the audit entry saying so) is committed, then the error goes
    on to the caller. Any other exception rolls everything back, as in any unit."""
    refusal: DomainError | None = None
    async with work.begin(actor) as uow:
        try:
            yield uow
        except DomainError as exc:
            refusal = exc
    if refusal is not None:
        raise refusal


# What each limited endpoint is called in a refusal.
LIMITED = {"login": "login", "reset": "password reset", "token": "token request"}


async def enforce_limits(
    conn: asyncpg.Connection, ctx: Context, actor: Actor, *, purpose: str, account: tuple[str, ...]
) -> None:
    """429 when the account (an authority and e-mail, or a client id) or the address has had too many
    attempts in the last window (sliding, not fixed blocks). Checked before any password or secret is
    hashed, so that a flood costs no CPU. Every attempt counts, refused ones too: run it in a unit
    that keeps its refusals, so that the count survives the 429. (A right password forgets the account's
    login attempts: handlers/login.py.)"""
    s = ctx.settings
    per_account, per_address, window = {
        "login": (s.login_limit_per_account, s.login_limit_per_address, s.login_limit_window_seconds),
        "reset": (s.reset_limit_per_account, s.reset_limit_per_address, s.reset_limit_window_seconds),
        "token": (s.token_limit_per_client, s.token_limit_per_address, s.token_limit_window_seconds),
    }[purpose]
    checks = [(account_bucket(purpose, account), per_account)]
    if actor.address:
        checks.append((keyed_digest(purpose, "address", actor.address), per_address))
    exceeded = []
    for bucket, limit in checks:
        hits, retry_after = await limits.hit(conn=conn, bucket=bucket, limit=limit, window_seconds=window)
        if hits > limit:
            exceeded.append(retry_after)
    if exceeded:
        raise errors.rate_limited(max(exceeded), LIMITED[purpose])


def account_bucket(purpose: str, account: tuple[str, ...]) -> bytes:
    """The account's rate-limit bucket for `purpose` (a keyed digest: no e-mail is stored)."""
    return keyed_digest(purpose, "account", *account)


async def authority_by_slug(conn: asyncpg.Connection, slug: str) -> Authority:
    authority = await directory.get_authority_by_slug(conn=conn, slug=slug)
    if authority is None:
        raise errors.unknown_authority(slug)
    return authority


async def authority_by_id(conn: asyncpg.Connection, authority_id: uuid.UUID) -> Authority:
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


async def memberships_of(conn: asyncpg.Connection, user_id: uuid.UUID) -> list[Membership]:
    """The organisations a user is linked to (active ones), with role and scope, by name."""
    return await membership_store.list_memberships(conn=conn, user_id=user_id)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def require_council(principal: Principal, detail: str = "only the council can use the council API") -> None:
    if not principal.is_council:
        raise errors.forbidden(detail)


def require_council_editor(principal: Principal) -> None:
    require_council(principal, "only the council can do this")
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
    if client is None or client.revoked_at is not None or grant not in client.grants:
        raise errors.forbidden(f"this council client has not been granted {grant!r}")
