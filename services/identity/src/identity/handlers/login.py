"""The login journey, first step: e-mail and password (DESIGN.md "Security model"; seeds 000, 003, 004).

password -> [change_password] -> [set_security_code] -> security_code_challenge -> done.
The journey lives in the database: the client holds only an opaque id, each step is accepted only
when the journey is at that step, and the challenge's positions are kept on the user until answered,
so neither retrying nor starting again re-rolls them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn

import asyncpg

from identity import errors
from identity.context import Caller, Context
from identity.crypto import digest, keyed_digest, new_secret
from identity.domain import journey as steps
from identity.domain import security_codes
from identity.domain.journey import Credentials, Step
from identity.domain.policy import AuthorityPolicy, LockReason, is_inactive
from identity.handlers import locks, sessions
from identity.handlers.common import (
    authority_by_slug,
    enforce_limits,
    normalise_email,
    record,
)
from identity.store import directory, limits, users
from identity.store import sessions as session_store
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class JourneyState:
    step: Step
    journey_id: str | None = None
    positions: tuple[int, int] | None = None
    reason: steps.ChangeReason | None = None
    password_rules: list[str] = field(default_factory=list)
    session: sessions.NewSession | None = None


def credentials_of(user: dict[str, Any]) -> Credentials:
    return Credentials(user["must_change_password"], user["password_changed_at"], user["has_security_code"])


async def state_of(
    conn: asyncpg.Connection,
    ctx: Context,
    user: dict[str, Any],
    policy: AuthorityPolicy,
    step: Step,
    jid: str,
) -> JourneyState:
    positions = None
    if step is Step.security_code_challenge:
        positions = await users.pending_challenge(
            conn=conn, user_id=user["user_id"], proposed=security_codes.pick_positions(ctx.rng)
        )
    reason = steps.change_reason(policy.password, credentials_of(user), datetime.now(UTC))
    return JourneyState(
        step=step,
        journey_id=jid,
        positions=positions,
        reason=reason if step is Step.change_password else None,
        password_rules=policy.password.describe() if step is Step.change_password else [],
    )


async def start(
    ctx: Context, caller: Caller, *, authority_slug: str, email: str, password: str
) -> JourneyState:
    """Check e-mail and password; the next step. Unknown e-mails cost the same hashing as known ones
    and lock after as many failures, so the answers cannot tell them apart."""
    email = normalise_email(email)
    async with ctx.pool.acquire() as conn:
        authority = await authority_by_slug(conn, authority_slug)
        authority_id = authority["authority_id"]
        await enforce_limits(conn, ctx, caller, purpose="login", account=(str(authority_id), email))
        user = await users.get_user_by_email(conn=conn, authority_id=authority_id, email=email)
    policy = directory.policy_of(authority)
    if user is None or not user["active"]:
        await ctx.hasher.verify(ctx.hasher.dummy_hash, password)
        await _unknown_account_failed(ctx, caller, authority, email, policy)
    right = await ctx.hasher.verify(user["password_hash"], password)
    user_id = user["user_id"]
    async with ctx.pool.acquire() as conn:
        if user["locked_at"] is not None:
            await record(
                conn,
                caller,
                authority_id=authority_id,
                action="login_refused",
                outcome="failure",
                subject_user_id=user_id,
                reason="locked",
            )
            raise errors.account_locked(authority)
        if is_inactive(policy, user["last_active_at"], datetime.now(UTC)):
            await locks.lock(
                conn, caller, authority_id=authority_id, user_id=user_id, reason=LockReason.inactivity
            )
            raise errors.account_locked(authority)
        if not right:
            await _password_failed(conn, caller, authority, user_id, policy)
        if not await users.clear_password_failures(conn=conn, user_id=user_id):
            raise errors.account_locked(authority)
        if ctx.hasher.needs_rehash(user["password_hash"]):
            await users.rehash_password(
                conn=conn, user_id=user_id, password_hash=await ctx.hasher.hash(password)
            )
        step = steps.step_after_password(policy.password, credentials_of(user), datetime.now(UTC))
        jid = new_secret("lj_")
        async with conn.transaction():
            await session_store.add_journey(
                conn=conn,
                journey_hash=digest(jid),
                user_id=user_id,
                step=step.value,
                ttl_seconds=ctx.settings.journey_ttl_seconds,
            )
            return await state_of(conn, ctx, user, policy, step, jid)


async def _unknown_account_failed(
    ctx: Context, caller: Caller, authority: dict[str, Any], email: str, policy: AuthorityPolicy
) -> NoReturn:
    email_hash = keyed_digest(str(authority["authority_id"]), email)
    async with ctx.pool.acquire() as conn:
        seen = await limits.unknown_failures(
            conn=conn, authority_id=authority["authority_id"], email_hash=email_hash
        )
        if seen < policy.max_password_failures:
            seen = await limits.record_unknown_failure(
                conn=conn, authority_id=authority["authority_id"], email_hash=email_hash
            )
        await record(
            conn,
            caller,
            authority_id=authority["authority_id"],
            action="login_failed",
            outcome="failure",
            reason="unknown_account",
        )
    log.info("login_failed", authority_id=str(authority["authority_id"]), reason="unknown_account")
    if seen >= policy.max_password_failures:
        raise errors.account_locked(authority)
    raise errors.invalid_credentials()


async def _password_failed(
    conn: asyncpg.Connection,
    caller: Caller,
    authority: dict[str, Any],
    user_id: uuid.UUID,
    policy: AuthorityPolicy,
) -> NoReturn:
    authority_id = authority["authority_id"]
    result = await users.record_failure(
        conn=conn,
        user_id=user_id,
        counter="failed_password_count",
        limit=policy.max_password_failures,
        reason=LockReason.password_failures.value,
    )
    await record(
        conn,
        caller,
        authority_id=authority_id,
        action="login_failed",
        outcome="failure",
        subject_user_id=user_id,
        reason="wrong_password",
        failures=result["failures"],
    )
    log.info("login_failed", user_id=str(user_id), reason="wrong_password", failures=result["failures"])
    if result["locked_now"]:
        await locks.after_lock(
            conn, caller, authority_id=authority_id, user_id=user_id, reason=LockReason.password_failures
        )
    if result["locked"]:
        raise errors.account_locked(authority)
    raise errors.invalid_credentials()
