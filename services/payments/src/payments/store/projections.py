"""What payments keeps of actuals' confirmed weeks and claims' decisions (tables of migration 0002):
applied by `payments.consumers`, each guarded by the aggregate's revision so that an older state after a
newer one, or the same state twice, changes nothing.

A consumer applies another service's event for every authority: these are the service's own work, not a
caller's, so the SQL is unscoped (the event's authority travels in its rows).
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from shared.events import AcceptedItem, ClaimDecided, WeekConfirmed, WeekUnlocked
from shared.projections import ChildRows

UPSERT_WEEK = """
    INSERT INTO payments.confirmed_week AS w
           (week_id, authority_id, organisation_id, contract_id, service_id, week_commencing,
            payment_basis, total, confirmed, confirmed_by, confirmed_at, revision)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, $9, $10, $11)
    ON CONFLICT (week_id) DO UPDATE
       SET authority_id = EXCLUDED.authority_id, organisation_id = EXCLUDED.organisation_id,
           contract_id = EXCLUDED.contract_id, service_id = EXCLUDED.service_id,
           week_commencing = EXCLUDED.week_commencing, payment_basis = EXCLUDED.payment_basis,
           total = EXCLUDED.total, confirmed = true, confirmed_by = EXCLUDED.confirmed_by,
           confirmed_at = EXCLUDED.confirmed_at, revision = EXCLUDED.revision
     WHERE w.revision < EXCLUDED.revision
    RETURNING week_id
"""

CONFIRMED_LINES = ChildRows(
    "payments.confirmed_line",
    "week_id",
    (
        ("line_id", "uuid"),
        ("cpli_id", "uuid"),
        ("client_id", "uuid"),
        ("client_reference", "text"),
        ("service_level_id", "uuid"),
        ("total", "numeric"),
    ),
)


async def apply_week_confirmed(conn: asyncpg.Connection, *, event: WeekConfirmed) -> bool:
    """The week and its lines as confirmed; False (nothing changed) when a newer state is held."""
    applied = await conn.fetchval(
        UPSERT_WEEK,
        event.week_id,
        event.authority_id,
        event.organisation_id,
        event.contract_id,
        event.service_id,
        event.week_commencing,
        event.payment_basis,
        event.total,
        event.confirmed_by,
        event.confirmed_at,
        event.revision,
    )
    if applied is None:
        return False
    # The lines of the newer confirmation replace the older ones (a line removed on correction goes).
    await CONFIRMED_LINES.replace(conn, event.week_id, event.lines)
    return True


async def apply_week_unlocked(conn: asyncpg.Connection, *, event: WeekUnlocked) -> bool:
    """An unlocked week is not confirmed (not owed, not taken back) until it is confirmed again. A week
    payments never saw confirmed has nothing to unlock."""
    status = await conn.execute(
        """
        UPDATE payments.confirmed_week
           SET confirmed = false, revision = $2
         WHERE week_id = $1 AND revision < $2
        """,
        event.week_id,
        event.revision,
    )
    return bool(status != "UPDATE 0")


UPSERT_ITEMS = """
    INSERT INTO payments.accepted_item AS i
           (item_id, claim_id, authority_id, organisation_id, client_id, client_reference,
            service_level_id, service_level_reference, cost_code, financial_year, claim_date, amount,
            decided_at, revision)
    SELECT i.item_id, $1, $2, $3, i.client_id, i.client_reference, i.service_level_id,
           i.service_level_reference, i.cost_code, i.financial_year, $4, i.amount, $5, $6
      FROM unnest($7::uuid[], $8::uuid[], $9::text[], $10::uuid[], $11::text[], $12::text[], $13::text[],
                  $14::numeric[])
           AS i(item_id, client_id, client_reference, service_level_id, service_level_reference,
                cost_code, financial_year, amount)
    ON CONFLICT (item_id) DO NOTHING
"""


async def apply_claim_decided(conn: asyncpg.Connection, *, event: ClaimDecided) -> int:
    """The included items of an accepted claim, once (a decision is final: a repeat changes nothing).
    A rejected claim pays nothing."""
    items: Sequence[AcceptedItem] = event.accepted_items if event.decision == "accepted" else ()
    if not items:
        return 0
    status = await conn.execute(
        UPSERT_ITEMS,
        event.claim_id,
        event.authority_id,
        event.organisation_id,
        event.claim_date,
        event.decided_at,
        event.revision,
        [i.item_id for i in items],
        [i.client_id for i in items],
        [i.client_reference for i in items],
        [i.service_level_id for i in items],
        [i.service_level_reference for i in items],
        [i.cost_code for i in items],
        [i.financial_year for i in items],
        [i.amount for i in items],
    )
    return int(status.split()[-1])


PROJECTED_TABLES = frozenset({"contract", "provider_service", "client", "cpli"})


async def empty_projections(conn: asyncpg.Connection, *, tables: Sequence[str]) -> list[str]:
    """Which of payments' projected reference tables hold no row."""
    empty = []
    for table in tables:
        if table not in PROJECTED_TABLES:  # the name goes into the SQL: only these
            raise ValueError(f"payments projects no table {table!r}")
        if await conn.fetchval(f"SELECT NOT EXISTS (SELECT 1 FROM payments.{table})"):
            empty.append(table)
    return empty
