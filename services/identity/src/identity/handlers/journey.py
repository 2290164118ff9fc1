"""The login journey after the password: the forced password change, setting a security code, and the
two-digit challenge. Each step is accepted only when the journey stored server-side is at that step."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from identity import errors
from identity.context import Context
from identity.crypto import digest
from identity.domain import journey as steps
from identity.domain import security_codes
from identity.domain.journey import Step
from identity.domain.policy import LockReason
from identity.handlers import locks, sessions
from identity.handlers.common import authority_by_id, keeping_refusals
from identity.handlers.credentials import check_new_code, check_new_password, open_code, resealed_codes
from identity.handlers.login import JourneyState, credentials_of, state_of
from identity.store import directory, users
from identity.store import sessions as session_store
from identity.store.directory import Authority
from identity.store.users import SealedCodes, UserWithSecrets
from shared.uow import Actor, UnitOfWork


async def _journey(
    conn: asyncpg.Connection, journey_id: str, expected: Step | None
) -> tuple[UserWithSecrets, Authority, Step]:
    """The journey's user (with secrets), authority and step, when it is at step `expected` (None: any
    step); refused otherwise. A locked user's journeys end (run it in a unit that keeps refusals)."""
    journey = await session_store.get_journey(conn=conn, journey_hash=digest(journey_id))
    if journey is None:
        raise errors.journey_expired()
    if expected is not None and journey.step != expected.value:
        raise errors.wrong_step(journey.step, expected.value)
    authority = await authority_by_id(conn, journey.authority_id)
    user = await users.get_user_with_secrets(
        conn=conn, authority_id=journey.authority_id, user_id=journey.user_id
    )
    if user is None or not user.active:
        raise errors.journey_expired()
    if user.locked_at is not None:
        await session_store.end_user_journeys(conn=conn, user_id=user.user_id)
        raise errors.account_locked(authority)
    return user, authority, Step(journey.step)


async def current(actor: Actor, ctx: Context, *, journey_id: str) -> JourneyState:
    """Where a journey is (to show the same step again: same positions)."""
    async with keeping_refusals(ctx.work, actor) as uow:
        user, authority, step = await _journey(uow.conn, journey_id, None)
        state = await state_of(uow.conn, ctx, user, directory.policy_of(authority), step, journey_id)
    return state


async def change_password(
    actor: Actor, ctx: Context, *, journey_id: str, new_password: str, confirm_password: str
) -> JourneyState:
    """The forced change of an administrator-assigned or expired password."""
    async with keeping_refusals(ctx.work, actor) as uow:
        user, authority, _ = await _journey(uow.conn, journey_id, Step.change_password)
        policy = directory.policy_of(authority)
        recent = await users.recent_password_hashes(
            conn=uow.conn, user_id=user.user_id, count=policy.password.history
        )
    await check_new_password(ctx, policy.password, recent, new_password, confirm_password)
    new_hash = await ctx.hasher.hash(new_password)
    reason = steps.change_reason(policy.password, credentials_of(user), datetime.now(UTC))
    following = steps.step_after_password_change(credentials_of(user))
    async with ctx.work.begin(actor) as uow:
        if not await session_store.advance_journey(
            conn=uow.conn,
            journey_hash=digest(journey_id),
            from_step=Step.change_password.value,
            to_step=following.value,
        ):
            raise errors.journey_expired()
        await users.set_password(
            conn=uow.conn, user_id=user.user_id, password_hash=new_hash, must_change=False
        )
        await session_store.revoke_user_sessions(
            conn=uow.conn, user_id=user.user_id, reason="password_changed"
        )
        await uow.audit(
            "password_changed",
            authority_id=authority.authority_id,
            subject_id=user.user_id,
            reason=reason.value if reason else "expired",
        )
        uow.log("password_changed", user_id=str(user.user_id), during="login")
        changed = user.model_copy(
            update={"must_change_password": False, "password_changed_at": datetime.now(UTC)}
        )
        state = await state_of(uow.conn, ctx, changed, policy, following, journey_id)
    return state


async def set_security_code(
    actor: Actor, ctx: Context, *, journey_id: str, new_code: str, confirm_code: str
) -> JourneyState:
    """A user without a code sets one; the login is then complete."""
    async with keeping_refusals(ctx.work, actor) as uow:
        user, authority, _ = await _journey(uow.conn, journey_id, Step.set_security_code)
    sealed = check_new_code(ctx, user, new_code, confirm_code)
    async with ctx.work.begin(actor) as uow:
        if not await session_store.end_journey(
            conn=uow.conn, journey_hash=digest(journey_id), at_step=Step.set_security_code.value
        ):
            raise errors.journey_expired()
        await users.set_security_code(conn=uow.conn, user_id=user.user_id, sealed=sealed)
        await uow.audit(
            "security_code_set", authority_id=authority.authority_id, subject_id=user.user_id, during="login"
        )
        uow.log("security_code_set", user_id=str(user.user_id), during="login")
        new_session = await sessions.open_session(uow, authority=authority, user=user)
    return JourneyState(step=Step.done, session=new_session)


async def answer_challenge(
    actor: Actor, ctx: Context, *, journey_id: str, digits: tuple[str, ...]
) -> JourneyState:
    """Two digits of the code at the pending positions; a wrong answer counts towards the lock."""
    async with keeping_refusals(ctx.work, actor) as uow:
        user, authority, _ = await _journey(uow.conn, journey_id, Step.security_code_challenge)
        await _check_answer(uow, ctx, authority, user, digits)
    fresh = resealed_codes(ctx, user)
    async with ctx.work.begin(actor) as uow:
        if not await session_store.end_journey(
            conn=uow.conn, journey_hash=digest(journey_id), at_step=Step.security_code_challenge.value
        ):
            raise errors.journey_expired()
        if fresh is not None:  # a code under an old key: sealed again with the current one, on use
            was = SealedCodes(
                user_id=user.user_id,
                security_code=user.security_code,
                previous_security_code=user.previous_security_code,
            )
            await users.replace_sealed_codes(
                conn=uow.conn, was=was, security_code=fresh[0], previous=fresh[1]
            )
        new_session = await sessions.open_session(uow, authority=authority, user=user)
    return JourneyState(step=Step.done, session=new_session)


async def _check_answer(
    uow: UnitOfWork, ctx: Context, authority: Authority, user: UserWithSecrets, digits: tuple[str, ...]
) -> None:
    """Refused unless the digits are those of the code at the pending positions (counted: the account
    locks at the authority's limit)."""
    positions = user.challenge_positions
    if not positions or user.security_code is None:
        raise errors.journey_expired()
    code = open_code(ctx, user.security_code, user.user_id)
    if security_codes.answer_matches(code, tuple(positions), digits):
        return
    failure = await locks.count_failure(
        uow,
        authority_id=authority.authority_id,
        user_id=user.user_id,
        kind=LockReason.code_failures,
        limit=directory.policy_of(authority).max_code_failures,
        action="login_failed",
        reason="wrong_security_code",
    )
    raise errors.account_locked(authority) if failure.locked else errors.wrong_code()
