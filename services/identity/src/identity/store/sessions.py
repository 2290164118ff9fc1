"""Login journeys and sessions. Both are looked up by the SHA-256 of the opaque id the client holds."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from shared.records import Record
from shared.store import Unscoped, fetch_one

# The holder of a journey or session id is not known until the row is found: the row names its authority.
BY_SECRET = Unscoped("found by the digest of the secret its holder presents; the row names the authority")


class Journey(Record):
    user_id: uuid.UUID
    step: str
    expires_at: datetime
    authority_id: uuid.UUID


class Session(Record):
    session_ref: uuid.UUID  # the non-secret name of the session (the `sid` claim, the audit log)
    user_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    absolute_expires_at: datetime


SESSION_COLUMNS = (
    "s.session_ref, s.user_id, s.authority_id, s.organisation_id, s.created_at, s.last_seen_at,"
    " s.expires_at, s.absolute_expires_at"
)


async def add_journey(
    *, conn: asyncpg.Connection, journey_hash: bytes, user_id: uuid.UUID, step: str, ttl_seconds: int
) -> None:
    """Start a journey; any other journey of the same user ends (one login in progress at a time)."""
    await conn.execute("DELETE FROM identity.login_journey WHERE user_id = $1", user_id)
    await conn.execute(
        """
        INSERT INTO identity.login_journey (journey_hash, user_id, step, expires_at)
        VALUES ($1, $2, $3, now() + make_interval(secs => $4))
        """,
        journey_hash,
        user_id,
        step,
        ttl_seconds,
    )


async def get_journey(*, conn: asyncpg.Connection, journey_hash: bytes) -> Journey | None:
    """The journey if it has not expired, with its user's authority."""
    sql = """
        SELECT j.user_id, j.step, j.expires_at, u.authority_id
          FROM identity.login_journey j JOIN identity.app_user u USING (user_id)
         WHERE j.journey_hash = $1 AND j.expires_at > now()
        """
    return await fetch_one(conn, Journey, sql, journey_hash, scope=BY_SECRET)


async def advance_journey(
    *, conn: asyncpg.Connection, journey_hash: bytes, from_step: str, to_step: str
) -> bool:
    """Move the journey on, only from the step it is at (two concurrent submissions: one wins)."""
    row = await conn.fetchval(
        """
        UPDATE identity.login_journey SET step = $3
         WHERE journey_hash = $1 AND step = $2 AND expires_at > now() RETURNING true
        """,
        journey_hash,
        from_step,
        to_step,
    )
    return bool(row)


async def end_journey(*, conn: asyncpg.Connection, journey_hash: bytes, at_step: str) -> bool:
    """Finish the journey, only from the step it is at; True if this call finished it."""
    row = await conn.fetchval(
        """
        DELETE FROM identity.login_journey
         WHERE journey_hash = $1 AND step = $2 AND expires_at > now() RETURNING true
        """,
        journey_hash,
        at_step,
    )
    return bool(row)


async def end_user_journeys(*, conn: asyncpg.Connection, user_id: uuid.UUID) -> None:
    """Drop every login in progress of the user (locked, reset)."""
    await conn.execute("DELETE FROM identity.login_journey WHERE user_id = $1", user_id)


async def add_session(
    *,
    conn: asyncpg.Connection,
    session_hash: bytes,
    user_id: uuid.UUID,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    idle_minutes: int,
    absolute_minutes: int,
) -> Session:
    """A new session, with the authority's idle and absolute timeouts."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO identity.session AS s (session_hash, session_ref, user_id, authority_id, organisation_id,
                                           expires_at, absolute_expires_at)
        VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6), now() + make_interval(mins => $7))
        RETURNING {SESSION_COLUMNS}
        """,
        session_hash,
        uuid.uuid4(),
        user_id,
        authority_id,
        organisation_id,
        idle_minutes,
        absolute_minutes,
    )
    return Session.from_row(row)


async def touch_session(*, conn: asyncpg.Connection, session_hash: bytes) -> Session | None:
    """The live session, its idle timeout pushed back (never past the absolute one); None if it has
    ended, expired or been revoked. The authority's current timeout applies."""
    sql = f"""
        UPDATE identity.session s
           SET last_seen_at = now(),
               expires_at = LEAST(now() + make_interval(mins => a.session_idle_minutes), s.absolute_expires_at)
          FROM identity.authority a
         WHERE s.session_hash = $1 AND a.authority_id = s.authority_id
           AND s.revoked_at IS NULL AND s.expires_at > now() AND s.absolute_expires_at > now()
        RETURNING {SESSION_COLUMNS}
        """
    return await fetch_one(conn, Session, sql, session_hash, scope=BY_SECRET)


async def revoke_session(*, conn: asyncpg.Connection, session_hash: bytes, reason: str) -> Session | None:
    """End the session now; the session if it was live."""
    sql = f"""
        UPDATE identity.session s SET revoked_at = now(), revoke_reason = $2
         WHERE s.session_hash = $1 AND s.revoked_at IS NULL
        RETURNING {SESSION_COLUMNS}
        """
    return await fetch_one(conn, Session, sql, session_hash, reason, scope=BY_SECRET)


async def revoke_user_sessions(
    *, conn: asyncpg.Connection, user_id: uuid.UUID, reason: str, keep_ref: uuid.UUID | None = None
) -> int:
    """End every live session of the user (but `keep_ref`); how many ended."""
    result = await conn.execute(
        """
        UPDATE identity.session SET revoked_at = now(), revoke_reason = $2
         WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR session_ref <> $3)
        """,
        user_id,
        reason,
        keep_ref,
    )
    return int(result.split()[-1])


async def set_session_organisation(
    *, conn: asyncpg.Connection, session_hash: bytes, organisation_id: uuid.UUID
) -> Session | None:
    """Show the live session another of its user's organisations."""
    sql = f"""
        UPDATE identity.session s SET organisation_id = $2
         WHERE s.session_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
        RETURNING {SESSION_COLUMNS}
        """
    return await fetch_one(conn, Session, sql, session_hash, organisation_id, scope=BY_SECRET)


async def sweep(*, conn: asyncpg.Connection) -> None:
    """Forget journeys that expired and sessions ended more than a day ago."""
    await conn.execute("DELETE FROM identity.login_journey WHERE expires_at < now()")
    await conn.execute(
        "DELETE FROM identity.session WHERE LEAST(expires_at, revoked_at) < now() - interval '1 day'"
    )
