"""An authority's teams and action types (messaging.team, messaging.action_type). Every query is within
one authority (`AuthorityScope`): the council's own, or the authority of the event being applied."""

from __future__ import annotations

import uuid

import asyncpg

from messaging.store.records import TeamRow, TypeRow
from shared.store import AuthorityScope, Unscoped, execute, fetch, fetch_one, fetch_value

TEAM_COLUMNS = "t.team_id, t.authority_id, t.name, t.active, t.mailbox"
TEAM = f"SELECT {TEAM_COLUMNS} FROM messaging.team t"
TYPE = """
    SELECT y.type_id, y.authority_id, y.name, y.default_team_id, t.name AS default_team_name,
           y.response_days, y.active, y.purpose
      FROM messaging.action_type y JOIN messaging.team t ON t.team_id = y.default_team_id
"""
NEW_ROW = Unscoped("a new row: its authority is the verified caller's, or the applied event's")


def of(authority_id: uuid.UUID, alias: str) -> AuthorityScope:
    return AuthorityScope(authority_id, column=f"{alias}.authority_id")


async def teams(conn: asyncpg.Connection, *, authority_id: uuid.UUID, active_only: bool) -> list[TeamRow]:
    return await fetch(
        conn,
        TeamRow,
        f"{TEAM} WHERE (t.active OR NOT $1) AND {{scope}} ORDER BY lower(t.name), t.team_id",
        active_only,
        scope=of(authority_id, "t"),
    )


async def team(conn: asyncpg.Connection, *, authority_id: uuid.UUID, team_id: uuid.UUID) -> TeamRow | None:
    return await fetch_one(
        conn, TeamRow, f"{TEAM} WHERE t.team_id = $1 AND {{scope}}", team_id, scope=of(authority_id, "t")
    )


async def team_named(conn: asyncpg.Connection, *, authority_id: uuid.UUID, name: str) -> TeamRow | None:
    return await fetch_one(
        conn,
        TeamRow,
        f"{TEAM} WHERE lower(t.name) = lower($1) AND {{scope}}",
        name,
        scope=of(authority_id, "t"),
    )


async def add_team(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, name: str, mailbox: str | None = None
) -> TeamRow | None:
    """The new team; None when the authority has a team of that name already."""
    return await fetch_one(
        conn,
        TeamRow,
        "INSERT INTO messaging.team AS t (team_id, authority_id, name, mailbox) VALUES ($1, $2, $3, $4)"
        f" ON CONFLICT DO NOTHING RETURNING {TEAM_COLUMNS}",
        uuid.uuid4(),
        authority_id,
        name,
        mailbox,
        scope=NEW_ROW,
    )


async def change_team(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    team_id: uuid.UUID,
    name: str,
    active: bool,
    mailbox: str | None,
) -> TeamRow | None:
    """None when another team of the authority has that name (the caller found this one first)."""
    try:
        async with conn.transaction():
            return await fetch_one(
                conn,
                TeamRow,
                "UPDATE messaging.team t SET name = $2, active = $3, mailbox = $4, updated_at = now()"
                f" WHERE t.team_id = $1 AND {{scope}} RETURNING {TEAM_COLUMNS}",
                team_id,
                name,
                active,
                mailbox,
                scope=of(authority_id, "t"),
            )
    except asyncpg.UniqueViolationError:
        return None


async def types(conn: asyncpg.Connection, *, authority_id: uuid.UUID, active_only: bool) -> list[TypeRow]:
    return await fetch(
        conn,
        TypeRow,
        f"{TYPE} WHERE (y.active OR NOT $1) AND {{scope}} ORDER BY lower(y.name), y.type_id",
        active_only,
        scope=of(authority_id, "y"),
    )


async def action_type(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, type_id: uuid.UUID
) -> TypeRow | None:
    return await fetch_one(
        conn, TypeRow, f"{TYPE} WHERE y.type_id = $1 AND {{scope}}", type_id, scope=of(authority_id, "y")
    )


async def type_for(conn: asyncpg.Connection, *, authority_id: uuid.UUID, purpose: str) -> TypeRow | None:
    return await fetch_one(
        conn, TypeRow, f"{TYPE} WHERE y.purpose = $1 AND {{scope}}", purpose, scope=of(authority_id, "y")
    )


async def add_type(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    name: str,
    default_team_id: uuid.UUID,
    response_days: int | None,
    purpose: str | None = None,
) -> uuid.UUID | None:
    """The new type's id; None when the authority has a type of that name (or that purpose) already."""
    type_id: uuid.UUID | None = await fetch_value(
        conn,
        "INSERT INTO messaging.action_type (type_id, authority_id, name, default_team_id, response_days, purpose)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING type_id",
        uuid.uuid4(),
        authority_id,
        name,
        default_team_id,
        response_days,
        purpose,
        scope=NEW_ROW,
    )
    return type_id


async def change_type(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    type_id: uuid.UUID,
    name: str,
    default_team_id: uuid.UUID,
    response_days: int | None,
    active: bool,
) -> bool:
    """False when another type of the authority has that name."""
    try:
        async with conn.transaction():
            await execute(
                conn,
                "UPDATE messaging.action_type y SET name = $2, default_team_id = $3, response_days = $4,"
                " active = $5, updated_at = now() WHERE y.type_id = $1 AND {scope}",
                type_id,
                name,
                default_team_id,
                response_days,
                active,
                scope=of(authority_id, "y"),
            )
    except asyncpg.UniqueViolationError:
        return False
    return True
