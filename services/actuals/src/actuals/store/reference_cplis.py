"""SQL of the council's CPLIs and of the services they name (identity's, projected): read by the
council's reference, listed, and written set-based (docs/actuals.md "Council API"). The records and the
SQL of clients and service levels are `actuals.store.reference`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import asyncpg

from actuals.store.reference import (
    COUNCIL_WRITE,
    OWN_CHILDREN,
    Cpli,
    ProviderService,
    Visit,
    Written,
)
from shared.records import Record
from shared.store import AnyScope, execute, fetch

# --- services (identity's, projected) ----------------------------------------------------------------


async def services_by_id(
    conn: asyncpg.Connection, *, scope: AnyScope, ids: Sequence[uuid.UUID]
) -> list[ProviderService]:
    """The services with these ids that the scope may see (another authority's are simply absent)."""
    return await fetch(
        conn,
        ProviderService,
        "SELECT service_id, authority_id, organisation_id, contract_id, reference, name, active"
        " FROM actuals.provider_service WHERE service_id = ANY($1::uuid[]) AND {scope}",
        list(ids),
        scope=scope,
    )


# --- CPLIs -------------------------------------------------------------------------------------------

CPLI_SELECT = """
    SELECT p.cpli_id, p.authority_id, p.organisation_id, p.contract_id, p.service_id, p.client_id,
           c.reference AS client_reference, p.service_level_id, l.reference AS service_level_reference,
           p.reference, p.care_package_ref, p.start_date, p.end_date, p.cost, p.frequency, p.pricing,
           p.units_per_week, p.authorised, p.revision, p.updated_at,
           COALESCE((SELECT json_agg(json_build_object('weekday', v.weekday, 'start_time', v.start_time,
                                                       'minutes', v.minutes, 'carers', v.carers)
                                     ORDER BY v.weekday, v.start_time)
                       FROM actuals.cpli_visit v WHERE v.cpli_id = p.cpli_id),
                    '[]'::json) AS timetable
      FROM actuals.cpli p
      JOIN actuals.client c USING (client_id)
      JOIN actuals.service_level l USING (service_level_id)
"""


async def cplis_by_reference(
    conn: asyncpg.Connection, *, scope: AnyScope, references: Sequence[str], for_update: bool = False
) -> list[Cpli]:
    lock = " FOR UPDATE OF p" if for_update else ""
    return await fetch(
        conn,
        Cpli,
        f"{CPLI_SELECT} WHERE p.reference = ANY($1::text[]) AND {{scope}}{lock}",
        list(references),
        scope=scope,
    )


async def list_cplis(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    organisation_id: uuid.UUID | None,
    service_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[Cpli]:
    return await fetch(
        conn,
        Cpli,
        f"{CPLI_SELECT} WHERE ($1::uuid IS NULL OR p.organisation_id = $1)"
        " AND ($2::uuid IS NULL OR p.service_id = $2) AND {scope}"
        " ORDER BY p.reference, p.cpli_id LIMIT $3 OFFSET $4",
        organisation_id,
        service_id,
        limit,
        offset,
        scope=scope,
    )


class CpliRow(Record):
    """One CPLI to write, its references already resolved to ids."""

    reference: str
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID
    client_id: uuid.UUID
    client_reference: str  # for the event, not a column
    service_level_id: uuid.UUID
    care_package_ref: str
    start_date: date
    end_date: date | None
    cost: Decimal
    frequency: str
    pricing: str
    units_per_week: Decimal | None
    authorised: bool
    timetable: list[Visit]


async def write_cplis(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, rows: Sequence[CpliRow]
) -> list[Written]:
    """Create or change these CPLIs (the caller sends only new or changed ones: each gets a new revision)
    and replace their timetables; answer what was written, in the order given."""
    if not rows:
        return []
    written = await fetch(
        conn,
        Written,
        """
        INSERT INTO actuals.cpli AS p (cpli_id, authority_id, organisation_id, contract_id, service_id,
            client_id, service_level_id, reference, care_package_ref, start_date, end_date, cost, frequency,
            pricing, units_per_week, authorised)
        SELECT gen_random_uuid(), $1, r.*
          FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[],
                      $9::date[], $10::date[], $11::numeric[], $12::text[], $13::text[], $14::numeric[],
                      $15::boolean[])
               AS r(organisation_id, contract_id, service_id, client_id, service_level_id, reference,
                    care_package_ref, start_date, end_date, cost, frequency, pricing, units_per_week,
                    authorised)
        ON CONFLICT (authority_id, reference) DO UPDATE
           SET organisation_id = EXCLUDED.organisation_id, contract_id = EXCLUDED.contract_id,
               service_id = EXCLUDED.service_id, client_id = EXCLUDED.client_id,
               service_level_id = EXCLUDED.service_level_id, care_package_ref = EXCLUDED.care_package_ref,
               start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date, cost = EXCLUDED.cost,
               frequency = EXCLUDED.frequency, pricing = EXCLUDED.pricing,
               units_per_week = EXCLUDED.units_per_week, authorised = EXCLUDED.authorised,
               revision = p.revision + 1, updated_at = now()
        RETURNING cpli_id AS id, reference, revision, updated_at
        """,
        authority_id,
        [r.organisation_id for r in rows],
        [r.contract_id for r in rows],
        [r.service_id for r in rows],
        [r.client_id for r in rows],
        [r.service_level_id for r in rows],
        [r.reference for r in rows],
        [r.care_package_ref for r in rows],
        [r.start_date for r in rows],
        [r.end_date for r in rows],
        [r.cost for r in rows],
        [r.frequency for r in rows],
        [r.pricing for r in rows],
        [r.units_per_week for r in rows],
        [r.authorised for r in rows],
        scope=COUNCIL_WRITE,
    )
    by_reference = {w.reference: w for w in written}
    ordered = [by_reference[r.reference] for r in rows]
    ids = {w.reference: w.id for w in written}
    await execute(
        conn,
        "DELETE FROM actuals.cpli_visit WHERE cpli_id = ANY($1::uuid[])",
        [w.id for w in ordered],
        scope=OWN_CHILDREN,
    )
    visits = [(ids[r.reference], v) for r in rows for v in r.timetable]
    if visits:
        await execute(
            conn,
            """
            INSERT INTO actuals.cpli_visit (cpli_id, weekday, start_time, minutes, carers)
            SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::time[], $4::integer[], $5::smallint[])
            """,
            [i for i, _ in visits],
            [v.weekday for _, v in visits],
            [v.start_time for _, v in visits],
            [v.minutes for _, v in visits],
            [v.carers for _, v in visits],
            scope=OWN_CHILDREN,
        )
    return ordered
