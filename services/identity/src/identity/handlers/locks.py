"""Locking an account, and what follows: no login in progress and no session survives it."""

from __future__ import annotations

import uuid
from typing import Any

from identity.domain.policy import LockReason
from identity.store import logins, sessions
from shared.uow import UnitOfWork


async def lock(uow: UnitOfWork, *, authority_id: uuid.UUID, user_id: uuid.UUID, reason: LockReason) -> None:
    """Lock the account unless it is locked already."""
    if await logins.lock_user(conn=uow.conn, user_id=user_id, reason=reason.value):
        await after_lock(uow, authority_id=authority_id, user_id=user_id, reason=reason)


async def after_lock(
    uow: UnitOfWork, *, authority_id: uuid.UUID, user_id: uuid.UUID, reason: LockReason
) -> None:
    """The account has just been locked: end its journeys and sessions, and audit it."""
    await sessions.end_user_journeys(conn=uow.conn, user_id=user_id)
    await sessions.revoke_user_sessions(conn=uow.conn, user_id=user_id, reason=f"locked:{reason.value}")
    await uow.audit("account_locked", authority_id=authority_id, subject_id=user_id, reason=reason.value)
    uow.log("account_locked", user_id=str(user_id), reason=reason.value)


COUNTERS = {
    LockReason.password_failures: "failed_password_count",
    LockReason.code_failures: "failed_code_count",
}


async def count_failure(
    uow: UnitOfWork,
    *,
    authority_id: uuid.UUID,
    user_id: uuid.UUID,
    kind: LockReason,
    limit: int,
    action: str,
    **detail: Any,
) -> logins.Failure:
    """One more wrong password or code answer: counted, audited as `action`, and the account locked
    when the count reaches `limit` (the authority's)."""
    failure = await logins.record_failure(
        conn=uow.conn, user_id=user_id, counter=COUNTERS[kind], limit=limit, reason=kind.value
    )
    await uow.audit(
        action,
        authority_id=authority_id,
        outcome="failure",
        subject_id=user_id,
        failures=failure.failures,
        **detail,
    )
    uow.log(action, user_id=str(user_id), failures=failure.failures, **detail)
    if failure.locked_now:
        await after_lock(uow, authority_id=authority_id, user_id=user_id, reason=kind)
    return failure
