"""A user's login state: failure counters, the lock, the pending challenge, the inactivity clock.

Counters and locks change in single statements, so that concurrent wrong answers can never get past
the authority's limit. Each function takes the id of a user already read within the caller's authority.
"""

from __future__ import annotations

import uuid

import asyncpg

from shared.records import Record


class Failure(Record):
    """One more wrong answer: the count so far, whether the account is locked, and whether this very
    failure locked it."""

    failures: int
    locked: bool
    locked_now: bool


async def record_failure(
    *, conn: asyncpg.Connection, user_id: uuid.UUID, counter: str, limit: int, reason: str
) -> Failure:
    """Count one wrong password or code answer; lock when the count reaches `limit`."""
    if counter not in {"failed_password_count", "failed_code_count"}:
        raise ValueError(counter)
    async with conn.transaction():
        was_locked = await conn.fetchval(
            "SELECT locked_at IS NOT NULL FROM identity.app_user WHERE user_id = $1 FOR UPDATE", user_id
        )
        row = await conn.fetchrow(
            f"""
            UPDATE identity.app_user
               SET {counter} = {counter} + 1,
                   lock_reason = CASE WHEN locked_at IS NULL AND {counter} + 1 >= $2 THEN $3
                                      ELSE lock_reason END,
                   locked_at = CASE WHEN locked_at IS NULL AND {counter} + 1 >= $2 THEN now()
                                    ELSE locked_at END
             WHERE user_id = $1
            RETURNING {counter} AS failures, locked_at IS NOT NULL AS locked
            """,
            user_id,
            limit,
            reason,
        )
    assert row is not None
    return Failure(
        failures=row["failures"], locked=row["locked"], locked_now=row["locked"] and not was_locked
    )


async def clear_password_failures(*, conn: asyncpg.Connection, user_id: uuid.UUID) -> bool:
    """After a right password: reset the count, unless the account is locked or closed meanwhile."""
    row = await conn.fetchval(
        """
        UPDATE identity.app_user SET failed_password_count = 0
         WHERE user_id = $1 AND locked_at IS NULL AND active RETURNING true
        """,
        user_id,
    )
    return bool(row)


async def lock_user(*, conn: asyncpg.Connection, user_id: uuid.UUID, reason: str) -> bool:
    """Lock the account if it is not locked yet; True when this call locked it."""
    row = await conn.fetchval(
        """
        UPDATE identity.app_user SET locked_at = now(), lock_reason = $2, updated_at = now()
         WHERE user_id = $1 AND locked_at IS NULL RETURNING true
        """,
        user_id,
        reason,
    )
    return bool(row)


async def unlock_user(*, conn: asyncpg.Connection, authority_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Unlock, reset the counters and restart the inactivity clock; True if it was locked."""
    row = await conn.fetchval(
        """
        UPDATE identity.app_user
           SET locked_at = NULL, lock_reason = NULL, failed_password_count = 0, failed_code_count = 0,
               last_active_at = now(), updated_at = now()
         WHERE authority_id = $1 AND user_id = $2 AND locked_at IS NOT NULL
        RETURNING true
        """,
        authority_id,
        user_id,
    )
    return bool(row)


async def restart_inactivity_clock(*, conn: asyncpg.Connection, user_id: uuid.UUID) -> None:
    """After a reset by the council: the user has 30 days (the policy's) to log in again."""
    await conn.execute("UPDATE identity.app_user SET last_active_at = now() WHERE user_id = $1", user_id)


async def pending_challenge(
    *, conn: asyncpg.Connection, user_id: uuid.UUID, proposed: tuple[int, int]
) -> tuple[int, int]:
    """The user's pending challenge positions; `proposed` only when none is pending (never re-rolled)."""
    row = await conn.fetchval(
        """
        UPDATE identity.app_user SET challenge_positions = COALESCE(challenge_positions, $2::smallint[])
         WHERE user_id = $1 RETURNING challenge_positions
        """,
        user_id,
        list(proposed),
    )
    first, second = row
    return int(first), int(second)


async def record_login(*, conn: asyncpg.Connection, user_id: uuid.UUID) -> bool:
    """A full login succeeded: clear the challenge and the counters, restart the inactivity clock.
    False when the account was locked meanwhile (then there is no session)."""
    row = await conn.fetchval(
        """
        UPDATE identity.app_user
           SET challenge_positions = NULL, failed_password_count = 0, failed_code_count = 0,
               last_login_at = now(), last_active_at = now()
         WHERE user_id = $1 AND locked_at IS NULL AND active
        RETURNING true
        """,
        user_id,
    )
    return bool(row)
