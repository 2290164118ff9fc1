"""Unconfirmed past weeks per service: the count on the services list and the home page card.

A week counts when it is one of the 12 weeks before the current one (the current week is still being
delivered, so it is never due), the service had an authorised CPLI with a day in it, and its week of
actuals is neither confirmed nor locked (no row at all counts as unconfirmed)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import asyncpg

from actuals.domain.weeks import week_commencing
from shared.scoping import Columns
from shared.store import AnyScope, scoped_sql

WEEKS_BACK = 12
# The scope's columns name provider_service as `s`: Scope.of(principal, DUE_COLUMNS), or
# AuthorityScope(authority_id, column="s.authority_id") for the council.
DUE_COLUMNS = Columns(
    authority="s.authority_id",
    organisation="s.organisation_id",
    contract="s.contract_id",
    service="s.service_id",
)


async def unconfirmed_weeks(
    conn: asyncpg.Connection, *, scope: AnyScope, today: date, organisation_id: uuid.UUID | None = None
) -> dict[uuid.UUID, int]:
    """{service_id: unconfirmed past weeks} for the active services in scope (of one organisation when
    given); a service with none is left out."""
    current = week_commencing(today)
    first, last = current - timedelta(weeks=WEEKS_BACK), current - timedelta(weeks=1)
    sql, params = scoped_sql(
        """
        SELECT s.service_id, count(*) AS weeks
          FROM actuals.provider_service s
         CROSS JOIN generate_series($1::date, $2::date, interval '7 days') AS g(day)
         WHERE {scope} AND s.active AND ($3::uuid IS NULL OR s.organisation_id = $3)
           AND EXISTS (SELECT 1 FROM actuals.cpli c
                        WHERE c.service_id = s.service_id AND c.authorised
                          AND c.start_date <= g.day::date + 6 AND (c.end_date IS NULL OR c.end_date >= g.day::date))
           AND NOT EXISTS (SELECT 1 FROM actuals.actual_week w
                            WHERE w.service_id = s.service_id AND w.week_commencing = g.day::date
                              AND w.state IN ('confirmed', 'locked'))
         GROUP BY s.service_id
        """,
        (first, last, organisation_id),
        scope,
    )
    return {row["service_id"]: int(row["weeks"]) for row in await conn.fetch(sql, *params)}
