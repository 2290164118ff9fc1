"""The login journey after the password: the forced password change, setting a security code, and the
two-digit challenge. Each step is accepted only when the journey stored server-side is at that step."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, NoReturn

import asyncpg

from identity import errors
from identity.context import Caller, Context
from identity.crypto import digest
from identity.domain import journey as steps
from identity.domain import security_codes
from identity.domain.journey import Step
from identity.domain.policy import LockReason
from identity.handlers import locks, sessions
from identity.handlers.common import authority_by_id, record
from identity.handlers.credentials import check_new_code, check_new_password
from identity.handlers.login import JourneyState, credentials_of, state_of
from identity.store import directory, users
from identity.store import sessions as session_store
from shared.logging import get_logger

log = get_logger(__name__)


async def _journey(
    conn: asyncpg.Connection, journey_id: str, expected: Step
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The journey at step `expected`, its user (with secrets) and authority; refused otherwise."""
    journey = await session_store.get_journey(conn=conn, journey_hash=digest(journey_id))
    if journey is None:
        raise errors.journey_expired()
    if journey["step"] != expected.value:
        raise errors.wrong_step(journey["step"], expected.value)
    authority = await authority_by_id(conn, journey["authority_id"])
    user = await users.get_user(
        conn=conn, authority_id=journey["authority_id"], user_id=journey["user_id"], secrets=True
    )
    if user is None or not user["active"]:
        raise errors.journey_expired()
    if user["locked_at"] is not None:
        await session_store.end_user_journeys(conn=conn, user_id=user["user_id"])
        raise errors.account_locked(authority)
    return journey, user, authority


async def current(ctx: Context, *, journey_id: str) -> JourneyState:
    """Where a journey is (to show the same step again: same positions)."""
    async with ctx.pool.acquire() as conn:
        journey = await session_store.get_journey(conn=conn, journey_hash=digest(journey_id))
        if journey is None:
            raise errors.journey_expired()
        step = Step(journey["step"])
        _, user, authority = await _journey(conn, journey_id, step)
        return await state_of(conn, ctx, user, directory.policy_of(authority), step, journey_id)


async def change_password(
    ctx: Context, caller: Caller, *, journey_id: str, new_password: str, confirm_password: str
) -> JourneyState:
    """The forced change of an administrator-assigned or expired password."""
    async with ctx.pool.acquire() as conn:
        _, user, authority = await _journey(conn, journey_id, Step.change_password)
        policy = directory.policy_of(authority)
        recent = await users.recent_password_hashes(
            conn=conn, user_id=user["user_id"], count=policy.password.history
        )
    await check_new_password(ctx, policy.password, recent, new_password, confirm_password)
    new_hash = await ctx.hasher.hash(new_password)
    reason = steps.change_reason(policy.password, credentials_of(user), datetime.now(UTC))
    following = steps.step_after_password_change(credentials_of(user))
    async with ctx.pool.acquire() as conn, conn.transaction():
        if not await session_store.advance_journey(
            conn=conn,
            journey_hash=digest(journey_id),
            from_step=Step.change_password.value,
            to_step=following.value,
        ):
            raise errors.journey_expired()
        await users.set_password(
            conn=conn, user_id=user["user_id"], password_hash=new_hash, must_change=False
        )
        await session_store.revoke_user_sessions(
            conn=conn, user_id=user["user_id"], reason="password_changed"
        )
        await record(
            conn,
            caller,
            authority_id=authority["authority_id"],
            action="password_changed",
            subject_user_id=user["user_id"],
            reason=reason.value if reason else "expired",
        )
        state = await state_of(
            conn,
            ctx,
            {**user, "must_change_password": False, "password_changed_at": datetime.now(UTC)},
            policy,
            following,
            journey_id,
        )
    log.info("password_changed", user_id=str(user["user_id"]), during="login")
    return state


async def set_security_code(
    ctx: Context, caller: Caller, *, journey_id: str, new_code: str, confirm_code: str
) -> JourneyState:
    """A user without a code sets one; the login is then complete."""
    async with ctx.pool.acquire() as conn:
        _, user, authority = await _journey(conn, journey_id, Step.set_security_code)
    sealed = check_new_code(ctx, user, new_code, confirm_code)
    async with ctx.pool.acquire() as conn, conn.transaction():
        if not await session_store.end_journey(
            conn=conn, journey_hash=digest(journey_id), at_step=Step.set_security_code.value
        ):
            raise errors.journey_expired()
        await users.set_security_code(conn=conn, user_id=user["user_id"], sealed=sealed)
        await record(
            conn,
            caller,
            authority_id=authority["authority_id"],
            action="security_code_set",
            subject_user_id=user["user_id"],
            during="login",
        )
        new_session = await sessions.open_session(conn, ctx, caller, authority=authority, user=user)
    log.info("security_code_set", user_id=str(user["user_id"]), during="login")
    return JourneyState(step=Step.done, session=new_session)


async def answer_challenge(
    ctx: Context, caller: Caller, *, journey_id: str, digits: tuple[str, ...]
) -> JourneyState:
    """Two digits of the code at the pending positions; a wrong answer counts towards the lock."""
    async with ctx.pool.acquire() as conn:
        _, user, authority = await _journey(conn, journey_id, Step.security_code_challenge)
        positions = user["challenge_positions"]
        if not positions or user["security_code"] is None:
            raise errors.journey_expired()
        code = ctx.codes.open(user["security_code"], owner=user["user_id"])
        if not security_codes.answer_matches(code, tuple(int(p) for p in positions), digits):
            await _code_failed(conn, caller, authority, user["user_id"])
        async with conn.transaction():
            if not await session_store.end_journey(
                conn=conn, journey_hash=digest(journey_id), at_step=Step.security_code_challenge.value
            ):
                raise errors.journey_expired()
            new_session = await sessions.open_session(conn, ctx, caller, authority=authority, user=user)
    return JourneyState(step=Step.done, session=new_session)


async def _code_failed(
    conn: asyncpg.Connection, caller: Caller, authority: dict[str, Any], user_id: uuid.UUID
) -> NoReturn:
    policy = directory.policy_of(authority)
    result = await users.record_failure(
        conn=conn,
        user_id=user_id,
        counter="failed_code_count",
        limit=policy.max_code_failures,
        reason=LockReason.code_failures.value,
    )
    await record(
        conn,
        caller,
        authority_id=authority["authority_id"],
        action="login_failed",
        outcome="failure",
        subject_user_id=user_id,
        reason="wrong_security_code",
        failures=result["failures"],
    )
    log.info("login_failed", user_id=str(user_id), reason="wrong_security_code", failures=result["failures"])
    if result["locked_now"]:
        await locks.after_lock(
            conn,
            caller,
            authority_id=authority["authority_id"],
            user_id=user_id,
            reason=LockReason.code_failures,
        )
    if result["locked"]:
        raise errors.account_locked(authority)
    raise errors.wrong_code()
