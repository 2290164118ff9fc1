"""Late weeks: per service, the past weeks (up to 12 back, not counting the current one) in which the
service had an authorised CPLI and the week is not confirmed or locked. The council's late-weeks list
and the provider's "unconfirmed weeks" counts are this one query, in the caller's scope."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import asyncpg

from actuals.domain.weeks import week_commencing
from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, fetch

WEEKS_BACK = 12
# provider_service, as the query names it.
SERVICE_ROWS = Columns(
    authority="s.authority_id",
    organisation="s.organisation_id",
    contract="s.contract_id",
    service="s.service_id",
)


class DueService(Record):
    service_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_reference: str
    service_name: str
    unconfirmed_weeks: int
    weeks: list[date]  # their Mondays, oldest first


async def unconfirmed_weeks(
    conn: asyncpg.Connection, *, scope: AnyScope, today: date, organisation_id: uuid.UUID | None = None
) -> list[DueService]:
    """Every active service in scope with at least one late week (a service with none is left out: its
    count is 0), by name. `scope` filters provider_service: use `SERVICE_ROWS` as its columns."""
    current = week_commencing(today)
    return await fetch(
        conn,
        DueService,
        """
        SELECT s.service_id, s.organisation_id, s.contract_id, s.reference AS service_reference,
               s.name AS service_name, count(*)::int AS unconfirmed_weeks,
               array_agg(w.week ORDER BY w.week) AS weeks
          FROM actuals.provider_service s
         CROSS JOIN generate_series($1::date, $2::date, interval '7 days') AS w(week)
         WHERE s.active
           AND ($3::uuid IS NULL OR s.organisation_id = $3)
           AND EXISTS (SELECT 1 FROM actuals.cpli c
                        WHERE c.service_id = s.service_id AND c.authorised
                          AND c.start_date <= w.week::date + 6
                          AND (c.end_date IS NULL OR c.end_date >= w.week::date))
           AND NOT EXISTS (SELECT 1 FROM actuals.actual_week aw
                            WHERE aw.service_id = s.service_id AND aw.week_commencing = w.week::date
                              AND aw.state IN ('confirmed', 'locked'))
           AND {scope}
         GROUP BY s.service_id
         ORDER BY s.name, s.service_id
        """,
        current - timedelta(weeks=WEEKS_BACK),
        current - timedelta(weeks=1),
        organisation_id,
        scope=scope,
    )
