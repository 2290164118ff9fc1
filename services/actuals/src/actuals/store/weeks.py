"""A service's week of actuals (the `actual_week` row), its rates and its confirmations.

Every writer follows the week write protocol: `lock_week` (SELECT ... FOR UPDATE) before touching the
week's lines, then `bump` the version in the same transaction as any change."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, Unscoped, execute, fetch, fetch_one

WEEK_COLUMNS = Columns(
    authority="w.authority_id",
    organisation="w.organisation_id",
    contract="w.contract_id",
    service="w.service_id",
)


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


WEEK_SELECT = """
    SELECT w.week_id, w.authority_id, w.organisation_id, w.contract_id, w.service_id, w.week_commencing,
           w.state, w.version, w.confirmed_at, w.confirmed_by, w.locked_at
      FROM actuals.actual_week w
     WHERE {scope} AND w.service_id = $1 AND w.week_commencing = $2
"""


async def get_week(
    conn: asyncpg.Connection, *, scope: AnyScope, service_id: uuid.UUID, week: date
) -> Week | None:
    return await fetch_one(conn, Week, WEEK_SELECT, service_id, week, scope=scope)


async def lock_week(
    conn: asyncpg.Connection, *, scope: AnyScope, service_id: uuid.UUID, week: date
) -> Week | None:
    """The week row locked for this transaction (every writer of a week and its lines takes it first)."""
    return await fetch_one(conn, Week, WEEK_SELECT + " FOR UPDATE", service_id, week, scope=scope)


async def ensure_week(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    service_id: uuid.UUID,
    week: date,
) -> Week:
    """The week row, made (open, version 1) if the service has none yet, then locked. The service must
    have been found inside the scope; its ids are copied from its own row."""
    await conn.execute(
        """
        INSERT INTO actuals.actual_week
               (week_id, authority_id, organisation_id, contract_id, service_id, week_commencing)
        SELECT $1, s.authority_id, s.organisation_id, s.contract_id, s.service_id, $3
          FROM actuals.provider_service s WHERE s.service_id = $2
        ON CONFLICT (service_id, week_commencing) DO NOTHING
        """,
        uuid.uuid4(),
        service_id,
        week,
    )
    locked = await lock_week(conn, scope=scope, service_id=service_id, week=week)
    if locked is None:  # the service was found in scope just before: this cannot happen
        raise LookupError(f"no week {week} for service {service_id}")
    return locked


async def bump(conn: asyncpg.Connection, *, week_id: uuid.UUID) -> int:
    """The week's version plus one (every change of the week or its lines): the new version."""
    version: int = await conn.fetchval(
        "UPDATE actuals.actual_week SET version = version + 1, updated_at = now() WHERE week_id = $1"
        " RETURNING version",
        week_id,
    )
    return version


async def mark_confirmed(conn: asyncpg.Connection, *, week_id: uuid.UUID, by: str) -> Week:
    row = await conn.fetchrow(
        """
        UPDATE actuals.actual_week
           SET state = 'confirmed', confirmed_at = now(), confirmed_by = $2, version = version + 1,
               updated_at = now()
         WHERE week_id = $1
     RETURNING week_id, authority_id, organisation_id, contract_id, service_id, week_commencing, state,
               version, confirmed_at, confirmed_by, locked_at
        """,
        week_id,
        by,
    )
    return Week.from_row(row)


async def add_confirmation(
    conn: asyncpg.Connection,
    *,
    week: Week,
    action: str,
    by: str,
    lines: int,
    total: Decimal,
    planned_total: Decimal,
    reason: str = "",
) -> None:
    await execute(
        conn,
        """
        INSERT INTO actuals.confirmation
               (confirmation_id, week_id, authority_id, organisation_id, contract_id, service_id,
                week_commencing, action, by_subject, reason, lines, total, planned_total)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        """,
        uuid.uuid4(),
        week.week_id,
        week.authority_id,
        week.organisation_id,
        week.contract_id,
        week.service_id,
        week.week_commencing,
        action,
        by,
        reason,
        lines,
        total,
        planned_total,
        scope=Unscoped("writes the confirmation of a week locked inside the caller's scope"),
    )


class Rate(Record):
    """A service level's pricing: whether it pays extras, and one row of its rate history (none: no
    rate at all yet)."""

    service_level_id: uuid.UUID
    name: str
    extras_payable: bool
    effective_from: date | None
    rate: Decimal | None


async def rates_of(conn: asyncpg.Connection, *, service_level_ids: list[uuid.UUID]) -> list[Rate]:
    """The service levels' extras rule and rate histories (of CPLIs already read inside the caller's
    scope)."""
    return await fetch(
        conn,
        Rate,
        """
        SELECT sl.service_level_id, sl.name, sl.extras_payable, r.effective_from, r.rate
          FROM actuals.service_level sl
          LEFT JOIN actuals.service_level_rate r ON r.service_level_id = sl.service_level_id
         WHERE sl.service_level_id = ANY($1::uuid[])
         ORDER BY sl.service_level_id, r.effective_from
        """,
        service_level_ids,
        scope=Unscoped("service levels of CPLIs already read inside the caller's scope"),
    )
