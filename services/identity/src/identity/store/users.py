"""Users: who they are, their password and security code, and the organisations they are linked to.

A user is read only within an authority (`authority_id`, from the verified caller or from a row read
within it); the writes that follow take the id of a user so read. The lock state and the login counters
are in `identity.store.logins`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from shared.records import Record
from shared.store import AuthorityScope, fetch, fetch_one

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


class User(Record):
    user_id: uuid.UUID
    authority_id: uuid.UUID
    email: str
    forename: str
    surname: str
    phone: str | None
    address: str | None
    is_council: bool
    council_can_edit: bool
    active: bool
    password_changed_at: datetime
    must_change_password: bool
    has_security_code: bool
    security_code_set_at: datetime | None
    challenge_positions: list[int] | None
    failed_password_count: int
    failed_code_count: int
    locked_at: datetime | None
    lock_reason: str | None
    last_active_at: datetime
    last_login_at: datetime | None
    revision: int
    created_at: datetime
    updated_at: datetime


class UserWithSecrets(User):
    """The user with the hash of their password and their sealed security codes: the login path only."""

    password_hash: str
    security_code: bytes | None
    previous_security_code: bytes | None


class Grant(Record):
    """A role and scope in one organisation: a membership's, an API key's, or one asked for."""

    organisation_id: uuid.UUID
    role: str
    can_edit: bool
    scope_type: str  # organisation | contract | service
    scope_id: uuid.UUID


class Membership(Grant):
    """A user's grant in an organisation they are linked to, with the organisation's name."""

    organisation_name: str
    organisation_reference: str


class Revision(Record):
    revision: int
    updated_at: datetime


def _in(authority_id: uuid.UUID) -> AuthorityScope:
    return AuthorityScope(authority_id, column="u.authority_id")


async def get_user(*, conn: asyncpg.Connection, authority_id: uuid.UUID, user_id: uuid.UUID) -> User | None:
    """The user, if it belongs to the authority."""
    sql = f"SELECT {USER_COLUMNS} FROM identity.app_user u WHERE {{scope}} AND u.user_id = $1"
    return await fetch_one(conn, User, sql, user_id, scope=_in(authority_id))


async def get_user_with_secrets(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, user_id: uuid.UUID
) -> UserWithSecrets | None:
    """The user with its secrets, if it belongs to the authority (the login path)."""
    sql = (
        f"SELECT {USER_COLUMNS}, {SECRET_COLUMNS} FROM identity.app_user u WHERE {{scope}} AND u.user_id = $1"
    )
    return await fetch_one(conn, UserWithSecrets, sql, user_id, scope=_in(authority_id))


async def get_user_by_email(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, email: str
) -> UserWithSecrets | None:
    """The user with this e-mail in the authority, with its secrets (the login path)."""
    sql = f"SELECT {USER_COLUMNS}, {SECRET_COLUMNS} FROM identity.app_user u WHERE {{scope}} AND u.email = $1"
    return await fetch_one(conn, UserWithSecrets, sql, email.lower(), scope=_in(authority_id))


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
) -> User:
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


async def list_users(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[User]:
    """Users of the authority, or the contacts of one organisation, by name."""
    sql = f"""
        SELECT {USER_COLUMNS} FROM identity.app_user u
         WHERE {{scope}}
           AND ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM identity.membership m
                                             WHERE m.user_id = u.user_id AND m.organisation_id = $1))
         ORDER BY u.surname, u.forename, u.email, u.user_id LIMIT $2 OFFSET $3
        """
    return await fetch(conn, User, sql, organisation_id, limit, offset, scope=_in(authority_id))


async def bump_revision(*, conn: asyncpg.Connection, user_id: uuid.UUID) -> Revision:
    """A published change to the user: the new revision and time."""
    row = await conn.fetchrow(
        "UPDATE identity.app_user SET revision = revision + 1, updated_at = now() WHERE user_id = $1"
        " RETURNING revision, updated_at",
        user_id,
    )
    return Revision.from_row(row)


# --- re-sealing the security codes with the current key (a key rotation) ---------------------------
# A stored code is under the current key when its first bytes are the current key's header
# (shared.sealing.Keyring); `header` below is that prefix. These read every authority's rows: re-sealing
# is identity's own upkeep, run by an operator, never a caller's request.

_UNDER_OLD_KEY = """
    ((u.security_code IS NOT NULL AND substr(u.security_code, 1, $1::int) <> $2::bytea)
     OR (u.previous_security_code IS NOT NULL AND substr(u.previous_security_code, 1, $1::int) <> $2::bytea))
"""


class SealedCodes(Record):
    user_id: uuid.UUID
    security_code: bytes | None
    previous_security_code: bytes | None


async def lock_codes_to_reseal(
    *, conn: asyncpg.Connection, header: bytes, after: uuid.UUID | None, limit: int
) -> list[SealedCodes]:
    """The next users (by id, after `after`) with a code under another key than the current one, locked
    for this transaction; rows another transaction holds are skipped, so several runs share the work."""
    sql = f"""
        SELECT u.user_id, u.security_code, u.previous_security_code FROM identity.app_user u
         WHERE {_UNDER_OLD_KEY} AND ($3::uuid IS NULL OR u.user_id > $3)
         ORDER BY u.user_id LIMIT $4 FOR UPDATE SKIP LOCKED
    """
    rows = await conn.fetch(sql, len(header), header, after, limit)
    return [SealedCodes.from_row(r) for r in rows]


async def replace_sealed_codes(
    *, conn: asyncpg.Connection, was: SealedCodes, security_code: bytes | None, previous: bytes | None
) -> bool:
    """Store the same codes sealed again, if they are still those read (a code changed meanwhile is
    left as it is: it was sealed with the current key). Whether the row was updated. Not a change of the
    user: no new revision, no event, `updated_at` kept."""
    status = await conn.execute(
        """
        UPDATE identity.app_user SET security_code = $4, previous_security_code = $5
         WHERE user_id = $1 AND security_code IS NOT DISTINCT FROM $2
           AND previous_security_code IS NOT DISTINCT FROM $3
        """,
        was.user_id,
        was.security_code,
        was.previous_security_code,
        security_code,
        previous,
    )
    return bool(status == "UPDATE 1")


async def count_codes_under_old_keys(*, conn: asyncpg.Connection, header: bytes) -> int:
    """How many users still have a code (current or previous) sealed with another key than the current."""
    sql = f"SELECT count(*) FROM identity.app_user u WHERE {_UNDER_OLD_KEY}"
    return int(await conn.fetchval(sql, len(header), header))
