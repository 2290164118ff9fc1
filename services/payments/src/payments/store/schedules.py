"""Schedules and their calendar periods (the council's), always within the caller's authority."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import asyncpg

from shared.store import AuthorityScope, scoped_sql


@dataclass(frozen=True)
class ScheduleRow:
    contract_id: uuid.UUID
    organisation_id: uuid.UUID
    frequency: str
    anchor_date: date
    amendment_days: int
    finalisation_days: int
    pay_days: int
    vat_rate: Decimal


async def contracts_of(
    conn: asyncpg.Connection, *, scope: AuthorityScope, ids: list[uuid.UUID]
) -> dict[uuid.UUID, asyncpg.Record]:
    """The caller's contracts among `ids` (another authority's are simply missing)."""
    query, params = scoped_sql(
        "SELECT contract_id, organisation_id, frequency, vat_registered FROM payments.contract"
        " WHERE contract_id = ANY($1::uuid[]) AND {scope}",
        (ids,),
        scope,
    )
    return {r["contract_id"]: r for r in await conn.fetch(query, *params)}


UPSERT = """
    INSERT INTO payments.schedule AS s
           (contract_id, authority_id, organisation_id, frequency, anchor_date, amendment_days,
            finalisation_days, pay_days, vat_rate)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (contract_id) DO UPDATE
       SET frequency = excluded.frequency, anchor_date = excluded.anchor_date,
           amendment_days = excluded.amendment_days, finalisation_days = excluded.finalisation_days,
           pay_days = excluded.pay_days, vat_rate = excluded.vat_rate, version = s.version + 1,
           updated_at = now()
     WHERE s.authority_id = excluded.authority_id
"""

# Periods no payment touches yet are the ones a new calendar may change: a paid (or computed) period
# keeps its dates, and a moved one keeps what the council chose.
UNPAID = "NOT EXISTS (SELECT 1 FROM payments.scheduled_payment sp WHERE sp.period_id = p.period_id)"

DROP_OFF_GRID = f"""
    DELETE FROM payments.period p
     WHERE p.contract_id = $1 AND {UNPAID}
       AND ((p.start_date - $2::date) % $3::int <> 0 OR p.start_date < $2::date OR p.start_date > $4::date)
"""

GENERATE = f"""
    INSERT INTO payments.period AS p
           (period_id, authority_id, organisation_id, contract_id, start_date, end_date,
            last_amendment_date, finalisation_date, pay_date)
    SELECT gen_random_uuid(), $5::uuid, $6::uuid, $1::uuid, d::date, d::date + ($3::int - 1),
           d::date + ($3::int - 1) + $7::int, d::date + ($3::int - 1) + $8::int,
           d::date + ($3::int - 1) + $9::int
      FROM generate_series($2::date, $4::date, make_interval(days => $3::int)) AS d
    ON CONFLICT (contract_id, start_date) DO UPDATE
       SET end_date = excluded.end_date, last_amendment_date = excluded.last_amendment_date,
           finalisation_date = excluded.finalisation_date, pay_date = excluded.pay_date
     WHERE NOT p.moved AND {UNPAID}
"""


async def write_schedule(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, row: ScheduleRow, until: date, days: int
) -> None:
    """Upsert the schedule and lay its calendar from the anchor to `until`."""
    await conn.execute(
        UPSERT,
        row.contract_id,
        authority_id,
        row.organisation_id,
        row.frequency,
        row.anchor_date,
        row.amendment_days,
        row.finalisation_days,
        row.pay_days,
        row.vat_rate,
    )
    await conn.execute(DROP_OFF_GRID, row.contract_id, row.anchor_date, days, until)
    await conn.execute(
        GENERATE,
        row.contract_id,
        row.anchor_date,
        days,
        until,
        authority_id,
        row.organisation_id,
        row.amendment_days,
        row.finalisation_days,
        row.pay_days,
    )


async def get_schedule(
    conn: asyncpg.Connection, *, scope: AuthorityScope, contract_id: uuid.UUID
) -> asyncpg.Record | None:
    query, params = scoped_sql(
        """
        SELECT s.contract_id, s.organisation_id, c.reference AS contract_reference, s.frequency,
               s.anchor_date, s.amendment_days, s.finalisation_days, s.pay_days, s.vat_rate, s.version,
               s.updated_at, (SELECT count(*) FROM payments.period p WHERE p.contract_id = s.contract_id)
               AS periods
          FROM payments.schedule s JOIN payments.contract c USING (contract_id)
         WHERE s.contract_id = $1 AND {scope}
        """,
        (contract_id,),
        AuthorityScope(scope.authority_id, column="s.authority_id"),
    )
    return await conn.fetchrow(query, *params)


PERIOD_COLUMNS = """
    p.period_id, p.organisation_id, p.contract_id, p.start_date, p.end_date, p.last_amendment_date, p.finalisation_date,
    p.pay_date, p.moved,
    (SELECT sp.status FROM payments.scheduled_payment sp WHERE sp.period_id = p.period_id) AS payment_status
"""


async def list_periods(
    conn: asyncpg.Connection, *, scope: AuthorityScope, contract_id: uuid.UUID, first: date, last: date
) -> list[asyncpg.Record]:
    query, params = scoped_sql(
        f"SELECT {PERIOD_COLUMNS} FROM payments.period p"
        " WHERE p.contract_id = $1 AND p.start_date BETWEEN $2 AND $3 AND {scope} ORDER BY p.start_date",
        (contract_id, first, last),
        AuthorityScope(scope.authority_id, column="p.authority_id"),
    )
    return list(await conn.fetch(query, *params))


async def get_period(
    conn: asyncpg.Connection, *, scope: AuthorityScope, period_id: uuid.UUID, for_update: bool = False
) -> asyncpg.Record | None:
    query, params = scoped_sql(
        f"SELECT {PERIOD_COLUMNS} FROM payments.period p WHERE p.period_id = $1 AND {{scope}}"
        + (" FOR UPDATE OF p" if for_update else ""),
        (period_id,),
        AuthorityScope(scope.authority_id, column="p.authority_id"),
    )
    return await conn.fetchrow(query, *params)


async def move_period(
    conn: asyncpg.Connection, *, period_id: uuid.UUID, amendment: date, finalisation: date, pay: date
) -> None:
    """New dates for a period already read in the caller's scope (and locked)."""
    await conn.execute(
        "UPDATE payments.period SET last_amendment_date = $2, finalisation_date = $3, pay_date = $4,"
        " moved = true WHERE period_id = $1",
        period_id,
        amendment,
        finalisation,
        pay,
    )
