"""Actions and their posts (messaging.action, messaging.post). Every query is within the caller's scope
(`action_scope`): a provider's organisation (and its contract or service for a scoped user), the
council's authority; a consumer applying an event works within the event's authority. Writers lock the
action first (`get(..., lock=True)`) and bump its revision with every change, in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from messaging.store.records import ActionRow, PostRow
from shared.auth import Principal
from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, AuthorityScope, Scope, Unscoped, fetch, fetch_one, fetch_value

ACTION_COLUMNS = Columns(
    authority="a.authority_id",
    organisation="a.organisation_id",
    contract="a.contract_id",
    service="a.service_id",
)
POST_COLUMNS = Columns(
    authority="p.authority_id",
    organisation="p.organisation_id",
    contract="p.contract_id",
    service="p.service_id",
)
SELECTED = """
    a.action_id, a.authority_id, a.organisation_id, a.contract_id, a.service_id, a.type_id,
    y.name AS type_name, a.related_kind, a.related_id,
    CASE WHEN a.related_kind = 'provider' THEN coalesce(o.name, a.related_label) ELSE a.related_label END
        AS related_label,
    a.team_id, t.name AS team_name,
    a.assigned_to, a.title, a.status, a.closed_reason, a.closed_at, a.closure_request_id, a.due_date,
    a.last_post_at, a.origin, a.revision, a.created_at, a.updated_at
"""
FROM = """
      FROM messaging.action a
      JOIN messaging.action_type y ON y.type_id = a.type_id
      JOIN messaging.team t ON t.team_id = a.team_id
      LEFT JOIN messaging.organisation o ON o.organisation_id = a.organisation_id
"""
NEW_ROW = Unscoped("a new row: its authority and organisation are the verified caller's or the event's")


def action_scope(principal: Principal) -> Scope:
    """An action about a service or a client lies in that service and its contract; one about the provider
    itself in no contract (seen by the organisation's people whose role gives actions), unless a
    contract- or service-scoped person opened it (then in their contract or service). A scoped person
    sees the actions of their part of the organisation (shared.scoping)."""
    return Scope.of(principal, ACTION_COLUMNS, organisation_rows=True)


def post_scope(principal: Principal) -> Scope:
    return Scope.of(principal, POST_COLUMNS, organisation_rows=True)


def authority_actions(authority_id: uuid.UUID) -> AuthorityScope:
    """An event's actions: every action of its authority (a consumer's work, not a caller's)."""
    return AuthorityScope(authority_id, column="a.authority_id")


async def get(
    conn: asyncpg.Connection, *, scope: AnyScope, action_id: uuid.UUID, lock: bool = False
) -> ActionRow | None:
    sql = f"SELECT {SELECTED} {FROM} WHERE a.action_id = $1 AND {{scope}}"
    return await fetch_one(
        conn, ActionRow, sql + (" FOR UPDATE OF a" if lock else ""), action_id, scope=scope
    )


@dataclass(frozen=True)
class Filters:
    open_only: bool = True
    assigned_to: str | None = None  # "provider" | "council"
    team_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None  # the council's filter; a provider's scope says it already


async def list_page(
    conn: asyncpg.Connection, *, scope: AnyScope, filters: Filters, limit: int, offset: int
) -> list[ActionRow]:
    """Latest post first, ending in the id so pages never overlap. Only the filters given are in the
    SQL (no `$n IS NULL OR ...`), so that a team's open inbox is read from `action_open_by_team`
    whatever plan the prepared statement settles on."""
    clauses: list[str] = []
    args: list[object] = []
    if filters.open_only:
        clauses.append("a.status <> 'closed'")
    for column, value in (
        ("a.assigned_to", filters.assigned_to),
        ("a.team_id", filters.team_id),
        ("a.organisation_id", filters.organisation_id),
    ):
        if value is not None:
            args.append(value)
            clauses.append(f"{column} = ${len(args)}")  # column names from code, values as parameters
    where = " AND ".join([*clauses, "{scope}"])
    n = len(args)
    return await fetch(
        conn,
        ActionRow,
        f"SELECT {SELECTED} {FROM} WHERE {where}"
        f" ORDER BY a.last_post_at DESC, a.action_id LIMIT ${n + 1} OFFSET ${n + 2}",
        *args,
        limit,
        offset,
        scope=scope,
    )


class Counts(Record):
    open: int
    overdue: int


async def counts(conn: asyncpg.Connection, *, scope: AnyScope, today: date) -> Counts:
    """The open actions within the scope, and how many of them are past their due date."""
    row = await fetch_one(
        conn,
        Counts,
        "SELECT count(*) AS open, count(*) FILTER (WHERE a.due_date < $1) AS overdue"
        " FROM messaging.action a WHERE a.status <> 'closed' AND {scope}",
        today,
        scope=scope,
    )
    assert row is not None
    return row


@dataclass(frozen=True)
class NewAction:
    authority_id: uuid.UUID
    organisation_id: uuid.UUID | None
    contract_id: uuid.UUID | None
    service_id: uuid.UUID | None
    type_id: uuid.UUID
    related_kind: str
    related_id: uuid.UUID | None
    related_label: str
    team_id: uuid.UUID
    assigned_to: str
    title: str
    due_date: date | None
    origin: str
    created_by: str
    source_key: str | None = None
    closing_key: str | None = None


async def add(conn: asyncpg.Connection, new: NewAction, *, at: datetime) -> uuid.UUID | None:
    """The new action's id; None when an action from the same source exists already (the event that
    opens it came twice)."""
    action_id: uuid.UUID | None = await fetch_value(
        conn,
        """
        INSERT INTO messaging.action (action_id, authority_id, organisation_id, contract_id, service_id, type_id,
                                      related_kind, related_id, related_label, team_id, assigned_to, title,
                                      due_date, last_post_at, origin, created_by, source_key, closing_key)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
        ON CONFLICT (authority_id, source_key) WHERE source_key IS NOT NULL DO NOTHING
        RETURNING action_id
        """,
        uuid.uuid4(),
        new.authority_id,
        new.organisation_id,
        new.contract_id,
        new.service_id,
        new.type_id,
        new.related_kind,
        new.related_id,
        new.related_label,
        new.team_id,
        new.assigned_to,
        new.title,
        new.due_date,
        at,
        new.origin,
        new.created_by,
        new.source_key,
        new.closing_key,
        scope=NEW_ROW,
    )
    return action_id


@dataclass(frozen=True)
class NewPost:
    kind: str
    author_side: str
    author: str
    author_label: str
    text: str


async def add_post(
    conn: asyncpg.Connection,
    action: ActionRow,
    post: NewPost,
    *,
    assigned_after: str,
    team_after: uuid.UUID,
    at: datetime,
) -> PostRow:
    row = await fetch_one(
        conn,
        PostRow,
        """
        INSERT INTO messaging.post AS p (post_id, action_id, authority_id, organisation_id, contract_id, service_id,
                                         kind, author_side, author, author_label, text, assigned_after, team_after,
                                         created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        RETURNING p.post_id, p.action_id, p.kind, p.author_side, p.author, p.author_label, p.text,
                  p.assigned_after, p.team_after, p.created_at
        """,
        uuid.uuid4(),
        action.action_id,
        action.authority_id,
        action.organisation_id,
        action.contract_id,
        action.service_id,
        post.kind,
        post.author_side,
        post.author,
        post.author_label,
        post.text,
        assigned_after,
        team_after,
        at,
        scope=NEW_ROW,
    )
    assert row is not None
    return row


async def posts(conn: asyncpg.Connection, *, scope: AnyScope, action_id: uuid.UUID) -> list[PostRow]:
    """The thread, oldest first."""
    return await fetch(
        conn,
        PostRow,
        "SELECT p.post_id, p.action_id, p.kind, p.author_side, p.author, p.author_label, p.text,"
        " p.assigned_after, p.team_after, p.created_at FROM messaging.post p"
        " WHERE p.action_id = $1 AND {scope} ORDER BY p.seq",
        action_id,
        scope=scope,
    )


@dataclass(frozen=True)
class Change:
    status: str
    assigned_to: str
    team_id: uuid.UUID
    last_post_at: datetime
    closed_reason: str | None = None
    closed_by: str | None = None
    closure_request_id: uuid.UUID | None = None


async def change(conn: asyncpg.Connection, *, scope: AnyScope, action_id: uuid.UUID, to: Change) -> ActionRow:
    """The action's new state and the next revision (it was locked within the scope by the caller)."""
    await fetch_one(
        conn,
        Record,
        """
        UPDATE messaging.action a
           SET status = $2::text, assigned_to = $3, team_id = $4, last_post_at = $5::timestamptz,
               closed_reason = $6, closed_by = $7, closed_at = CASE WHEN $2::text = 'closed' THEN $5::timestamptz END,
               closure_request_id = $8, revision = revision + 1, updated_at = now()
         WHERE a.action_id = $1 AND {scope}
        RETURNING a.action_id
        """,
        action_id,
        to.status,
        to.assigned_to,
        to.team_id,
        to.last_post_at,
        to.closed_reason,
        to.closed_by,
        to.closure_request_id,
        scope=scope,
    )
    row = await get(conn, scope=scope, action_id=action_id)
    assert row is not None
    return row


async def closing(conn: asyncpg.Connection, *, authority_id: uuid.UUID, closing_key: str) -> list[ActionRow]:
    """The actions still open that a decision with this key closes, locked."""
    return await fetch(
        conn,
        ActionRow,
        f"SELECT {SELECTED} {FROM} WHERE a.closing_key = $1 AND a.status <> 'closed' AND {{scope}}"
        " ORDER BY a.created_at, a.action_id FOR UPDATE OF a",
        closing_key,
        scope=authority_actions(authority_id),
    )


SWEEP = Unscoped("the worker's sweep for actions newly overdue, over every authority, each row its own")


async def becoming_overdue(conn: asyncpg.Connection, *, today: date, limit: int) -> list[uuid.UUID]:
    """Open actions past their due date whose passing has not been published, locked (skipping those
    another sweep holds), oldest due first."""
    rows = await fetch(
        conn,
        ActionId,
        "SELECT a.action_id FROM messaging.action a"
        " WHERE a.status <> 'closed' AND NOT a.overdue_published AND a.due_date < $1"
        " ORDER BY a.due_date, a.action_id LIMIT $2 FOR UPDATE SKIP LOCKED",
        today,
        limit,
        scope=SWEEP,
    )
    return [r.action_id for r in rows]


class ActionId(Record):
    action_id: uuid.UUID


async def mark_overdue(conn: asyncpg.Connection, *, action_id: uuid.UUID) -> ActionRow:
    """Its passing published (with the next revision): the sweep will not find it again."""
    await fetch_value(
        conn,
        "UPDATE messaging.action SET overdue_published = true, revision = revision + 1, updated_at = now()"
        " WHERE action_id = $1 RETURNING action_id",
        action_id,
        scope=SWEEP,
    )
    row = await fetch_one(
        conn, ActionRow, f"SELECT {SELECTED} {FROM} WHERE a.action_id = $1", action_id, scope=SWEEP
    )
    assert row is not None
    return row


async def last_post(conn: asyncpg.Connection, *, action_id: uuid.UUID) -> PostRow:
    row = await fetch_one(
        conn,
        PostRow,
        "SELECT p.post_id, p.action_id, p.kind, p.author_side, p.author, p.author_label, p.text,"
        " p.assigned_after, p.team_after, p.created_at FROM messaging.post p"
        " WHERE p.action_id = $1 ORDER BY p.seq DESC LIMIT 1",
        action_id,
        scope=SWEEP,
    )
    assert row is not None  # every action opens with a post
    return row
