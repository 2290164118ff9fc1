"""Changing a password or a security code: during a login, or later by a logged-in user."""

from __future__ import annotations

import uuid

from identity import errors
from identity.context import Caller, Context
from identity.domain import passwords, security_codes
from identity.domain.passwords import PasswordPolicy
from identity.domain.policy import LockReason
from identity.handlers import locks
from identity.handlers.common import authority_by_id, record
from identity.store import directory, users
from identity.store import sessions as session_store
from shared.auth import Principal, PrincipalKind
from shared.logging import get_logger

log = get_logger(__name__)


async def check_new_password(
    ctx: Context, policy: PasswordPolicy, recent_hashes: list[str], new: str, confirm: str
) -> None:
    """422 naming every rule the new password breaks, the history rule included."""
    failures = passwords.check_password(policy, new)
    if new != confirm:
        failures.append(passwords.mismatch())
    if len(new) <= passwords.MAX_LENGTH and await ctx.hasher.matches_any(recent_hashes, new):
        failures.append(passwords.not_recent(policy))
    if failures:
        raise errors.rules_failed("new_password", "new password", failures)


def check_new_code(ctx: Context, user: dict[str, object], new: str, confirm: str) -> bytes:
    """The new code sealed for storage; 422 naming every rule it breaks."""
    user_id = user["user_id"]
    assert isinstance(user_id, uuid.UUID)
    stored = user.get("security_code") or user.get("previous_security_code")
    previous = ctx.codes.open(stored, owner=user_id) if isinstance(stored, bytes) else None
    failures = security_codes.check_code(new, previous=previous)
    if new != confirm:
        failures.append(security_codes.mismatch())
    if failures:
        raise errors.rules_failed("new_code", "security code", failures)
    return ctx.codes.seal(new, owner=user_id)


async def _verify_current(
    ctx: Context, caller: Caller, principal: Principal, current: str
) -> dict[str, object]:
    """The logged-in user, once their current password is confirmed. A wrong one counts towards the
    lock, as at login: a borrowed session cannot be used to guess the password."""
    if principal.kind is not PrincipalKind.user:
        raise errors.forbidden("only a person logged in can change their own credentials")
    user_id = uuid.UUID(principal.subject)
    async with ctx.pool.acquire() as conn:
        user = await users.get_user(
            conn=conn, authority_id=principal.authority_id, user_id=user_id, secrets=True
        )
        authority = await authority_by_id(conn, principal.authority_id)
    if user is None or user["locked_at"] is not None:
        raise errors.session_ended()
    if not await ctx.hasher.verify(str(user["password_hash"]), current):
        policy = directory.policy_of(authority)
        async with ctx.pool.acquire() as conn:
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
                authority_id=principal.authority_id,
                action="password_check_failed",
                outcome="failure",
                subject_user_id=user_id,
                failures=result["failures"],
            )
            if result["locked_now"]:
                await locks.after_lock(
                    conn,
                    caller,
                    authority_id=principal.authority_id,
                    user_id=user_id,
                    reason=LockReason.password_failures,
                )
        if result["locked"]:
            raise errors.account_locked(authority)
        raise errors.wrong_current_password()
    return {**user, "authority": authority}


async def change_password(
    ctx: Context, caller: Caller, principal: Principal, *, current: str, new: str, confirm: str
) -> None:
    """A logged-in user's own change; every other session of theirs ends."""
    user = await _verify_current(ctx, caller, principal, current)
    user_id = uuid.UUID(principal.subject)
    authority = user["authority"]
    assert isinstance(authority, dict)
    policy = directory.policy_of(authority)
    async with ctx.pool.acquire() as conn:
        recent = await users.recent_password_hashes(conn=conn, user_id=user_id, count=policy.password.history)
    await check_new_password(ctx, policy.password, recent, new, confirm)
    new_hash = await ctx.hasher.hash(new)
    keep = principal.extra.get("sid")
    async with ctx.pool.acquire() as conn, conn.transaction():
        await users.set_password(conn=conn, user_id=user_id, password_hash=new_hash, must_change=False)
        await session_store.revoke_user_sessions(
            conn=conn, user_id=user_id, reason="password_changed", keep_ref=uuid.UUID(keep) if keep else None
        )
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="password_changed",
            subject_user_id=user_id,
            reason="by_user",
        )
    log.info("password_changed", user_id=str(user_id), during="session")


async def change_security_code(
    ctx: Context, caller: Caller, principal: Principal, *, current_password: str, new: str, confirm: str
) -> None:
    """A logged-in user's new code (the current password confirms it is them)."""
    user = await _verify_current(ctx, caller, principal, current_password)
    user_id = uuid.UUID(principal.subject)
    sealed = check_new_code(ctx, user, new, confirm)
    async with ctx.pool.acquire() as conn, conn.transaction():
        await users.set_security_code(conn=conn, user_id=user_id, sealed=sealed)
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="security_code_set",
            subject_user_id=user_id,
            during="session",
        )
    log.info("security_code_set", user_id=str(user_id), during="session")
