"""Weeks as the council handles them: unlocking a confirmed week, locking the weeks a payment run paid,
and the history of confirmations, unlocks and locks (`actuals.confirmation`).

Every writer locks the week row before it changes it and bumps its version (docs/actuals.md, the week
write protocol): an UPDATE locks the row it changes, so the provider's save that started before it gets
its version conflict."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, fetch, fetch_one

# actual_week is `w` in every query below.
WEEK_ROWS = Columns(
    authority="w.authority_id",
    organisation="w.organisation_id",
    contract="w.contract_id",
    service="w.service_id",
)
CONFIRMATION_ROWS = Columns(
    authority="c.authority_id",
    organisation="c.organisation_id",
    contract="c.contract_id",
    service="c.service_id",
)
WEEK_COLUMNS = """week_id, authority_id, organisation_id, contract_id, service_id, week_commencing, state, version,
    confirmed_at, confirmed_by, locked_at, updated_at"""
QUALIFIED_WEEK_COLUMNS = ", ".join(f"w.{c.strip()}" for c in WEEK_COLUMNS.split(","))


class Week(Record):
    week_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID
    week_commencing: date
    state: str
    version: int
    confirmed_at: datetime | None
    confirmed_by: str | None
    locked_at: datetime | None
    updated_at: datetime


class Confirmation(Record):
    confirmation_id: uuid.UUID
    week_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID
    service_name: str | None
    week_commencing: date
    action: str
    at: datetime
    by_subject: str
    reason: str
    lines: int
    total: Decimal
    planned_total: Decimal


async def lock_week(conn: asyncpg.Connection, *, scope: AnyScope, week_id: uuid.UUID) -> Week | None:
    """The week, locked for the rest of the transaction, if the scope may see it."""
    return await fetch_one(
        conn,
        Week,
        f"SELECT {WEEK_COLUMNS} FROM actuals.actual_week w WHERE week_id = $1 AND {{scope}} FOR UPDATE",
        week_id,
        scope=scope,
    )


async def reopen_week(conn: asyncpg.Connection, *, scope: AnyScope, week_id: uuid.UUID) -> Week | None:
    """Confirmed → open (the provider may correct it), with a new version."""
    return await fetch_one(
        conn,
        Week,
        f"""
        UPDATE actuals.actual_week w
           SET state = 'open', version = version + 1, confirmed_at = NULL, confirmed_by = NULL, updated_at = now()
         WHERE week_id = $1 AND state = 'confirmed' AND {{scope}}
        RETURNING {WEEK_COLUMNS}
        """,
        week_id,
        scope=scope,
    )


async def lock_weeks(
    conn: asyncpg.Connection, *, scope: AnyScope, week_ids: Sequence[uuid.UUID], locked_at: datetime
) -> list[Week]:
    """Lock for good those of the weeks that are confirmed (a week already locked stays as it was); answer
    the weeks it locked. A week the council unlocked after the run that paid it was computed stays open:
    locking it would freeze the provider's correction unconfirmed, and payments never pays an unconfirmed
    week. Once confirmed again, a later run pays the difference as an adjustment and locks it
    (tests/payments/integration/test_cycle_unlocked_week.py)."""
    return await fetch(
        conn,
        Week,
        f"""
        WITH paid AS (  -- locked in one order, so two runs paying the same weeks cannot deadlock
            SELECT week_id FROM actuals.actual_week w
             WHERE week_id = ANY($1::uuid[]) AND state = 'confirmed' AND {{scope}}
             ORDER BY week_id
               FOR UPDATE
        )
        UPDATE actuals.actual_week w
           SET state = 'locked', locked_at = $2, version = w.version + 1, updated_at = now()
          FROM paid
         WHERE w.week_id = paid.week_id
        RETURNING {QUALIFIED_WEEK_COLUMNS}
        """,
        list(week_ids),
        locked_at,
        scope=scope,
    )


async def add_confirmations(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    week_ids: Sequence[uuid.UUID],
    action: str,
    at: datetime,
    by_subject: str,
    reason: str,
) -> None:
    """One history row per week, with the week's lines and totals as they stand."""
    await fetch(
        conn,
        Confirmation,
        """
        INSERT INTO actuals.confirmation (confirmation_id, week_id, authority_id, organisation_id, contract_id,
            service_id, week_commencing, action, at, by_subject, reason, lines, total, planned_total)
        SELECT gen_random_uuid(), w.week_id, w.authority_id, w.organisation_id, w.contract_id, w.service_id,
               w.week_commencing, $2, $3, $4, $5,
               count(l.line_id), COALESCE(sum(l.total), 0), COALESCE(sum(l.planned_total), 0)
          FROM actuals.actual_week w
          LEFT JOIN actuals.actual_line l ON l.week_id = w.week_id
         WHERE w.week_id = ANY($1::uuid[]) AND {scope}
         GROUP BY w.week_id
        RETURNING confirmation_id, week_id, organisation_id, contract_id, service_id, NULL::text AS service_name,
                  week_commencing, action, at, by_subject, reason, lines, total, planned_total
        """,
        list(week_ids),
        action,
        at,
        by_subject,
        reason,
        scope=scope,
    )


async def list_confirmations(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    organisation_id: uuid.UUID | None,
    service_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[Confirmation]:
    """Newest first (then by id, so pages neither repeat nor skip)."""
    return await fetch(
        conn,
        Confirmation,
        """
        SELECT c.confirmation_id, c.week_id, c.organisation_id, c.contract_id, c.service_id,
               s.name AS service_name, c.week_commencing, c.action, c.at, c.by_subject, c.reason, c.lines,
               c.total, c.planned_total
          FROM actuals.confirmation c
          LEFT JOIN actuals.provider_service s ON s.service_id = c.service_id
         WHERE ($1::uuid IS NULL OR c.organisation_id = $1) AND ($2::uuid IS NULL OR c.service_id = $2)
           AND {scope}
         ORDER BY c.at DESC, c.confirmation_id DESC
         LIMIT $3 OFFSET $4
        """,
        organisation_id,
        service_id,
        limit,
        offset,
        scope=scope,
    )
