"""Changing a password or a security code: during a login, or later by a logged-in user."""

from __future__ import annotations

import contextlib
import uuid

from identity import errors
from identity.context import Context
from identity.crypto import UnknownSealingKey
from identity.domain import passwords, security_codes
from identity.domain.passwords import PasswordPolicy
from identity.domain.policy import LockReason
from identity.handlers import locks
from identity.handlers.common import authority_by_id
from identity.store import directory, users
from identity.store import sessions as session_store
from identity.store.directory import Authority
from identity.store.users import UserWithSecrets
from shared.auth import PrincipalKind
from shared.logging import get_logger
from shared.uow import Caller

log = get_logger(__name__)


def open_code(ctx: Context, sealed: bytes, user_id: uuid.UUID) -> str:
    """A stored code in clear; 503 when no configured key opens it (a key dropped too early, or a value
    sealed elsewhere): the user is told to try later, the log names the key id for the operator."""
    try:
        return ctx.codes.open(sealed, owner=user_id)
    except UnknownSealingKey as exc:
        log.error("security_code_unreadable", user_id=str(user_id), key_id=exc.key_id or "none")
        raise errors.security_code_unreadable() from None


def resealed_codes(ctx: Context, user: UserWithSecrets) -> tuple[bytes | None, bytes | None] | None:
    """The user's code and previous code sealed again with the current key, or None when neither is under
    an old key (a key rotation: docs/operations.md). A previous code no key opens stays as it is for
    `python -m identity reseal` to count: the login does not need it."""
    current, previous = user.security_code, user.previous_security_code
    changed = False
    if current is not None and not ctx.codes.is_current(current):
        current, changed = ctx.codes.seal(open_code(ctx, current, user.user_id), owner=user.user_id), True
    if previous is not None and not ctx.codes.is_current(previous):
        with contextlib.suppress(UnknownSealingKey):
            previous, changed = (
                ctx.codes.seal(ctx.codes.open(previous, owner=user.user_id), owner=user.user_id),
                True,
            )
    return (current, previous) if changed else None


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


def check_new_code(ctx: Context, user: UserWithSecrets, new: str, confirm: str) -> bytes:
    """The new code sealed for storage; 422 naming every rule it breaks."""
    stored = user.security_code or user.previous_security_code
    previous = open_code(ctx, stored, user.user_id) if stored is not None else None
    failures = security_codes.check_code(new, previous=previous)
    if new != confirm:
        failures.append(security_codes.mismatch())
    if failures:
        raise errors.rules_failed("new_code", "security code", failures)
    return ctx.codes.seal(new, owner=user.user_id)


async def _verify_current(caller: Caller, ctx: Context, current: str) -> tuple[UserWithSecrets, Authority]:
    """The logged-in user, once their current password is confirmed. A wrong one counts towards the
    lock, as at login: a borrowed session cannot be used to guess the password."""
    principal = caller.principal
    if principal.kind is not PrincipalKind.user:
        raise errors.forbidden("only a person logged in can change their own credentials")
    async with ctx.work.read() as conn:
        user = await users.get_user_with_secrets(
            conn=conn, authority_id=principal.authority_id, user_id=uuid.UUID(principal.subject)
        )
        authority = await authority_by_id(conn, principal.authority_id)
    if user is None or user.locked_at is not None:
        raise errors.session_ended()
    if await ctx.hasher.verify(user.password_hash, current):
        return user, authority
    async with ctx.work.begin(caller.actor) as uow:
        failure = await locks.count_failure(
            uow,
            authority_id=authority.authority_id,
            user_id=user.user_id,
            kind=LockReason.password_failures,
            limit=directory.policy_of(authority).max_password_failures,
            action="password_check_failed",
        )
    raise errors.account_locked(authority) if failure.locked else errors.wrong_current_password()


async def change_password(caller: Caller, ctx: Context, *, current: str, new: str, confirm: str) -> None:
    """A logged-in user's own change; every other session of theirs ends."""
    user, authority = await _verify_current(caller, ctx, current)
    policy = directory.policy_of(authority)
    async with ctx.work.read() as conn:
        recent = await users.recent_password_hashes(
            conn=conn, user_id=user.user_id, count=policy.password.history
        )
    await check_new_password(ctx, policy.password, recent, new, confirm)
    new_hash = await ctx.hasher.hash(new)
    keep = caller.principal.extra.get("sid")
    async with ctx.work.begin(caller.actor) as uow:
        await users.set_password(
            conn=uow.conn, user_id=user.user_id, password_hash=new_hash, must_change=False
        )
        await session_store.revoke_user_sessions(
            conn=uow.conn,
            user_id=user.user_id,
            reason="password_changed",
            keep_ref=uuid.UUID(keep) if keep else None,
        )
        await uow.audit(
            "password_changed", authority_id=authority.authority_id, subject_id=user.user_id, reason="by_user"
        )
        uow.log("password_changed", user_id=str(user.user_id), during="session")


async def change_security_code(
    caller: Caller, ctx: Context, *, current_password: str, new: str, confirm: str
) -> None:
    """A logged-in user's new code (the current password confirms it is them)."""
    user, authority = await _verify_current(caller, ctx, current_password)
    sealed = check_new_code(ctx, user, new, confirm)
    async with ctx.work.begin(caller.actor) as uow:
        await users.set_security_code(conn=uow.conn, user_id=user.user_id, sealed=sealed)
        await uow.audit(
            "security_code_set",
            authority_id=authority.authority_id,
            subject_id=user.user_id,
            during="session",
        )
        uow.log("security_code_set", user_id=str(user.user_id), during="session")
