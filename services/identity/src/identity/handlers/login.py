"""The login journey, first step: e-mail and password (DESIGN.md "Security model"; seeds 000, 003, 004).

password -> [change_password] -> [set_security_code] -> security_code_challenge -> done.
The journey lives in the database: the client holds only an opaque id, each step is accepted only
when the journey is at that step, and the challenge's positions are kept on the user until answered,
so neither retrying nor starting again re-rolls them. Nobody is verified yet: the handlers take the
`Actor` (where the request comes from) in the caller's place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NoReturn

import asyncpg

from identity import errors
from identity.context import Context
from identity.crypto import digest, keyed_digest, new_secret
from identity.domain import journey as steps
from identity.domain import security_codes
from identity.domain.journey import Credentials, Step
from identity.domain.policy import AuthorityPolicy, LockReason, is_inactive
from identity.handlers import locks, sessions
from identity.handlers.common import (
    account_bucket,
    authority_by_slug,
    enforce_limits,
    keeping_refusals,
    normalise_email,
)
from identity.store import directory, limits, logins, users
from identity.store import sessions as session_store
from identity.store.directory import Authority
from identity.store.users import User, UserWithSecrets
from shared.uow import Actor, UnitOfWork


@dataclass(frozen=True)
class JourneyState:
    step: Step
    journey_id: str | None = None
    positions: tuple[int, int] | None = None
    reason: steps.ChangeReason | None = None
    password_rules: list[str] = field(default_factory=list)
    session: sessions.NewSession | None = None


def credentials_of(user: User) -> Credentials:
    return Credentials(user.must_change_password, user.password_changed_at, user.has_security_code)


async def state_of(
    conn: asyncpg.Connection, ctx: Context, user: User, policy: AuthorityPolicy, step: Step, jid: str
) -> JourneyState:
    positions = None
    if step is Step.security_code_challenge:
        proposed = security_codes.pick_positions(ctx.rng)
        positions = await logins.pending_challenge(conn=conn, user_id=user.user_id, proposed=proposed)
    reason = steps.change_reason(policy.password, credentials_of(user), datetime.now(UTC))
    return JourneyState(
        step=step,
        journey_id=jid,
        positions=positions,
        reason=reason if step is Step.change_password else None,
        password_rules=policy.password.describe() if step is Step.change_password else [],
    )


async def start(
    actor: Actor, ctx: Context, *, authority_slug: str, email: str, password: str
) -> JourneyState:
    """Check e-mail and password; the next step. Unknown e-mails cost the same hashing as known ones
    and lock after as many failures, so the answers cannot tell them apart."""
    email = normalise_email(email)
    async with keeping_refusals(ctx.work, actor) as uow:
        authority = await authority_by_slug(uow.conn, authority_slug)
        account = (str(authority.authority_id), email)
        await enforce_limits(uow.conn, ctx, actor, purpose="login", account=account)
        user = await users.get_user_by_email(conn=uow.conn, authority_id=authority.authority_id, email=email)
    policy = directory.policy_of(authority)
    if user is None or not user.active:
        await ctx.hasher.verify(ctx.hasher.dummy_hash, password)
        await _unknown_account_failed(actor, ctx, authority, email, policy)
    right = await ctx.hasher.verify(user.password_hash, password)
    rehashed = (
        await ctx.hasher.hash(password) if right and ctx.hasher.needs_rehash(user.password_hash) else None
    )
    async with keeping_refusals(ctx.work, actor) as uow:
        await _check_account(uow, authority, user, policy, right=right)
        # The right password forgives the account's earlier attempts: the limit is there to slow guessing,
        # so a person who logs in often (several devices, a lost session) is never shut out by their own
        # logins. The address's limit still counts every attempt.
        await limits.forget(conn=uow.conn, bucket=account_bucket("login", account))
        if rehashed is not None:
            await users.rehash_password(conn=uow.conn, user_id=user.user_id, password_hash=rehashed)
        step = steps.step_after_password(policy.password, credentials_of(user), datetime.now(UTC))
        jid = new_secret("lj_")
        await session_store.add_journey(
            conn=uow.conn,
            journey_hash=digest(jid),
            user_id=user.user_id,
            step=step.value,
            ttl_seconds=ctx.settings.journey_ttl_seconds,
        )
        state = await state_of(uow.conn, ctx, user, policy, step, jid)
    return state


async def _check_account(
    uow: UnitOfWork, authority: Authority, user: UserWithSecrets, policy: AuthorityPolicy, *, right: bool
) -> None:
    """Refused when the account is locked or long inactive (then locked), or the password is wrong
    (counted: the account locks at the authority's limit)."""
    authority_id, user_id = authority.authority_id, user.user_id
    if user.locked_at is not None:
        await uow.audit(
            "login_refused", authority_id=authority_id, outcome="failure", subject_id=user_id, reason="locked"
        )
        raise errors.account_locked(authority)
    if is_inactive(policy, user.last_active_at, datetime.now(UTC)):
        await locks.lock(uow, authority_id=authority_id, user_id=user_id, reason=LockReason.inactivity)
        raise errors.account_locked(authority)
    if not right:
        failure = await locks.count_failure(
            uow,
            authority_id=authority_id,
            user_id=user_id,
            kind=LockReason.password_failures,
            limit=policy.max_password_failures,
            action="login_failed",
            reason="wrong_password",
        )
        raise errors.account_locked(authority) if failure.locked else errors.invalid_credentials()
    if not await logins.clear_password_failures(conn=uow.conn, user_id=user_id):
        raise errors.account_locked(authority)


async def _unknown_account_failed(
    actor: Actor, ctx: Context, authority: Authority, email: str, policy: AuthorityPolicy
) -> NoReturn:
    """Counted as for an account (by a keyed digest of the e-mail), so that it locks alike."""
    email_hash = keyed_digest(str(authority.authority_id), email)
    async with ctx.work.begin(actor) as uow:
        seen = await limits.unknown_failures(
            conn=uow.conn, authority_id=authority.authority_id, email_hash=email_hash
        )
        if seen < policy.max_password_failures:
            seen = await limits.record_unknown_failure(
                conn=uow.conn, authority_id=authority.authority_id, email_hash=email_hash
            )
        await uow.audit(
            "login_failed", authority_id=authority.authority_id, outcome="failure", reason="unknown_account"
        )
        uow.log("login_failed", authority_id=str(authority.authority_id), reason="unknown_account")
    raise (
        errors.account_locked(authority)
        if seen >= policy.max_password_failures
        else errors.invalid_credentials()
    )


class PortalAuthority(Authority):
    """An authority as the login pages show it: its branding, support contact and password rules."""

    password_rules: list[str]


async def authorities(actor: Actor, ctx: Context) -> list[PortalAuthority]:
    """Every authority's name, colours, support contact and password rules (for the pages)."""
    async with ctx.work.read() as conn:
        rows = await directory.list_authorities(conn=conn)
    return [
        PortalAuthority(**row.model_dump(), password_rules=directory.policy_of(row).password.describe())
        for row in rows
    ]
