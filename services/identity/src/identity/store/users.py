"""Users, their credentials and lock state, and their memberships of organisations.

Counters and locks change in single statements, so that concurrent wrong answers can never get past
the authority's limit.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

USER_COLUMNS = """
    u.user_id, u.authority_id, u.email, u.forename, u.surname, u.phone, u.address, u.is_council,
    u.council_can_edit, u.active, u.password_changed_at, u.must_change_password,
    u.security_code IS NOT NULL AS has_security_code, u.security_code_set_at, u.challenge_positions,
    u.failed_password_count, u.failed_code_count, u.locked_at, u.lock_reason, u.last_active_at,
    u.last_login_at, u.revision, u.created_at, u.updated_at
"""
# Only the login path reads these.
SECRET_COLUMNS = "u.password_hash, u.security_code, u.previous_security_code"
HISTORY_KEPT = 24


async def get_user(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, user_id: uuid.UUID, secrets: bool = False
) -> dict[str, Any] | None:
    """The user, if it belongs to the authority; with its secrets only when asked."""
    columns = USER_COLUMNS + (", " + SECRET_COLUMNS if secrets else "")
    row = await conn.fetchrow(
        f"SELECT {columns} FROM identity.app_user u WHERE u.authority_id = $1 AND u.user_id = $2",
        authority_id,
        user_id,
    )
    return dict(row) if row else None


async def get_user_by_email(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, email: str
) -> dict[str, Any] | None:
    """The user with this e-mail in the authority, with its secrets (the login path)."""
    row = await conn.fetchrow(
        f"SELECT {USER_COLUMNS}, {SECRET_COLUMNS} FROM identity.app_user u"
        " WHERE u.authority_id = $1 AND u.email = $2",
        authority_id,
        email.lower(),
    )
    return dict(row) if row else None


async def add_user(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    email: str,
    forename: str,
    surname: str,
    phone: str | None,
    address: str | None,
    is_council: bool,
    council_can_edit: bool,
    password_hash: str,
) -> dict[str, Any]:
    """Create a user with an administrator-assigned password (changed at first login)."""
    user_id = uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO identity.app_user (user_id, authority_id, email, forename, surname, phone, address,
                                       is_council, council_can_edit, password_hash)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        """,
        user_id,
        authority_id,
        email.lower(),
        forename,
        surname,
        phone,
        address,
        is_council,
        council_can_edit,
        password_hash,
    )
    await add_password_history(conn=conn, user_id=user_id, password_hash=password_hash)
    user = await get_user(conn=conn, authority_id=authority_id, user_id=user_id)
    assert user is not None
    return user


async def add_password_history(*, conn: asyncpg.Connection, user_id: uuid.UUID, password_hash: str) -> None:
    """Remember a password's hash; keep only the newest few."""
    await conn.execute(
        "INSERT INTO identity.password_history (user_id, password_hash) VALUES ($1, $2)",
        user_id,
        password_hash,
    )
    await conn.execute(
        """
        DELETE FROM identity.password_history WHERE user_id = $1 AND set_at < (
            SELECT min(set_at) FROM (SELECT set_at FROM identity.password_history
                                      WHERE user_id = $1 ORDER BY set_at DESC LIMIT $2) newest)
        """,
        user_id,
        HISTORY_KEPT,
    )


async def recent_password_hashes(*, conn: asyncpg.Connection, user_id: uuid.UUID, count: int) -> list[str]:
    """The hashes of the current password and the ones before it, newest first."""
    rows = await conn.fetch(
        "SELECT password_hash FROM identity.password_history WHERE user_id = $1 ORDER BY set_at DESC LIMIT $2",
        user_id,
        count,
    )
    return [r["password_hash"] for r in rows]


async def set_password(
    *, conn: asyncpg.Connection, user_id: uuid.UUID, password_hash: str, must_change: bool
) -> None:
    """Replace the password (a user's own change, or a reset by the council when `must_change`)."""
    await conn.execute(
        """
        UPDATE identity.app_user
           SET password_hash = $2, password_changed_at = now(), must_change_password = $3,
               updated_at = now()
         WHERE user_id = $1
        """,
        user_id,
        password_hash,
        must_change,
    )
    await add_password_history(conn=conn, user_id=user_id, password_hash=password_hash)


async def rehash_password(*, conn: asyncpg.Connection, user_id: uuid.UUID, password_hash: str) -> None:
    """Store the same password hashed with the current parameters (no history entry, no new date)."""
    await conn.execute(
        "UPDATE identity.app_user SET password_hash = $2 WHERE user_id = $1", user_id, password_hash
    )


async def record_failure(
    *, conn: asyncpg.Connection, user_id: uuid.UUID, counter: str, limit: int, reason: str
) -> dict[str, Any]:
    """Count one wrong password or code answer; lock when the count reaches `limit`.
    Returns the count, and whether this very failure locked the account."""
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
    return {**dict(row), "locked_now": bool(row["locked"]) and not was_locked}


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


async def set_security_code(*, conn: asyncpg.Connection, user_id: uuid.UUID, sealed: bytes | None) -> None:
    """Replace the code (the old one becomes the previous one); any pending challenge is dropped."""
    await conn.execute(
        """
        UPDATE identity.app_user
           SET previous_security_code = COALESCE(security_code, previous_security_code),
               security_code = $2, security_code_set_at = CASE WHEN $2::bytea IS NULL THEN NULL ELSE now() END,
               challenge_positions = NULL, failed_code_count = 0, updated_at = now()
         WHERE user_id = $1
        """,
        user_id,
        sealed,
    )


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


async def list_users(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """Users of the authority, or the contacts of one organisation, by name."""
    rows = await conn.fetch(
        f"""
        SELECT {USER_COLUMNS} FROM identity.app_user u
         WHERE u.authority_id = $1
           AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM identity.membership m
                                             WHERE m.user_id = u.user_id AND m.organisation_id = $2))
         ORDER BY u.surname, u.forename, u.email, u.user_id LIMIT $3 OFFSET $4
        """,
        authority_id,
        organisation_id,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def bump_revision(*, conn: asyncpg.Connection, user_id: uuid.UUID) -> dict[str, Any]:
    """A published change to the user: the new revision and time."""
    row = await conn.fetchrow(
        "UPDATE identity.app_user SET revision = revision + 1, updated_at = now() WHERE user_id = $1"
        " RETURNING revision, updated_at",
        user_id,
    )
    assert row is not None
    return dict(row)
