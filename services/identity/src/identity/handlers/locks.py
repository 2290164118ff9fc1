"""Locking an account, and what follows: no login in progress and no session survives it."""

from __future__ import annotations

import uuid

import asyncpg

from identity.context import Caller
from identity.domain.policy import LockReason
from identity.handlers.common import record
from identity.store import sessions, users
from shared.logging import get_logger

log = get_logger(__name__)


async def lock(
    conn: asyncpg.Connection,
    caller: Caller,
    *,
    authority_id: uuid.UUID,
    user_id: uuid.UUID,
    reason: LockReason,
) -> None:
    """Lock the account unless it is locked already."""
    if await users.lock_user(conn=conn, user_id=user_id, reason=reason.value):
        await after_lock(conn, caller, authority_id=authority_id, user_id=user_id, reason=reason)


async def after_lock(
    conn: asyncpg.Connection,
    caller: Caller,
    *,
    authority_id: uuid.UUID,
    user_id: uuid.UUID,
    reason: LockReason,
) -> None:
    """The account has just been locked: end its journeys and sessions, and audit it."""
    await sessions.end_user_journeys(conn=conn, user_id=user_id)
    await sessions.revoke_user_sessions(conn=conn, user_id=user_id, reason=f"locked:{reason.value}")
    await record(
        conn,
        caller,
        authority_id=authority_id,
        action="account_locked",
        subject_user_id=user_id,
        reason=reason.value,
    )
    log.info("account_locked", user_id=str(user_id), reason=reason.value)
