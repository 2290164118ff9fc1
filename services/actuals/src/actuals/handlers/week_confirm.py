"""Confirming a service's week of actuals (docs/actuals.md "A week of actuals"): the week as it stands
becomes confirmed and read-only to the provider, its confirmation is kept as history, and
`actuals.week.confirmed.v1` carries every line, quantity, rate and cost to payments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from actuals.domain.costs import PaymentBasis
from actuals.domain.weeks import week_to_enter
from actuals.handlers.week_access import (
    find_service,
    require_open,
    require_version,
    require_writer,
    today,
    week_scope,
)
from actuals.handlers.weeks import LineFilters, WeekView, view
from actuals.store import lines, weeks
from actuals.store.lines import Line
from actuals.store.weeks import Week
from shared.errors import Conflict
from shared.events.actuals import ConfirmedLine, WeekConfirmed
from shared.money import total
from shared.uow import Caller, Work


async def confirm(
    caller: Caller, work: Work, *, service_id: uuid.UUID, day: date, version: int, limit: int
) -> WeekView:
    """The week confirmed as it stands (with no changes too). Refused while an authorised CPLI active
    in the week has no line (generate first); a week with no CPLI at all is confirmed empty."""
    principal = caller.principal
    require_writer(principal)
    week_date = week_to_enter(day, today=today())
    async with work.begin(caller.actor) as uow:
        conn = uow.conn
        service = await find_service(conn, principal, service_id)
        found = await weeks.lock_week(
            conn, scope=week_scope(principal), service_id=service.service_id, week=week_date
        )
        if found is not None:
            require_open(found)
        require_version(found.version if found else 0, version)
        missing = await lines.unplanned_count(
            conn, service_id=service.service_id, week_id=found.week_id if found else None, week=week_date
        )
        if missing:
            raise Conflict(
                (
                    f"{missing} client with an authorised care package this week has no line yet"
                    if missing == 1
                    else f"{missing:,} clients with an authorised care package this week have no line yet"
                )
                + ": generate actuals first, then confirm",
                code="lines-missing",
            )
        week = found or await weeks.ensure_week(
            conn, scope=week_scope(principal), service_id=service.service_id, week=week_date
        )
        every = await lines.all_lines(conn, week_id=week.week_id)
        week_total = total(line.total for line in every)
        planned_total = total(line.planned_total for line in every)
        confirmed = await weeks.mark_confirmed(conn, week_id=week.week_id, by=principal.subject)
        await weeks.add_confirmation(
            conn,
            week=confirmed,
            action="confirmed",
            by=principal.subject,
            lines=len(every),
            total=week_total,
            planned_total=planned_total,
        )
        await uow.publish(
            confirmed_event(confirmed, payment_basis=service.payment_basis, lines=every),
            aggregate_id=confirmed.week_id,
            authority_id=confirmed.authority_id,
        )
        await uow.audit(
            "actuals_week_confirmed",
            authority_id=confirmed.authority_id,
            organisation_id=confirmed.organisation_id,
            subject_id=confirmed.week_id,
            lines=len(every),
            version=confirmed.version,
        )
        uow.log("actuals_week_confirmed", week_id=str(confirmed.week_id), lines=len(every))
        return await view(
            conn, principal, service, confirmed, week_date, filters=LineFilters(), limit=limit, offset=0
        )


def confirmed_event(week: Week, *, payment_basis: str, lines: Sequence[Line]) -> WeekConfirmed:
    """`actuals.week.confirmed.v1` of a confirmed week: every line, quantity, rate and cost (also what the
    demo seeder applies to payments' projections before the workers run, devtools/demo_payments.py)."""
    if week.confirmed_at is None or week.confirmed_by is None:
        raise ValueError(f"the week {week.week_id} is not confirmed")
    return WeekConfirmed(
        week_id=week.week_id,
        authority_id=week.authority_id,
        organisation_id=week.organisation_id,
        contract_id=week.contract_id,
        service_id=week.service_id,
        week_commencing=week.week_commencing,
        payment_basis=PaymentBasis(payment_basis).value,
        lines=[
            ConfirmedLine(
                line_id=line.line_id,
                cpli_id=line.cpli_id,
                client_id=line.client_id,
                client_reference=line.ssref,
                service_level_id=line.service_level_id,
                unit=line.unit,
                actual=line.actual,
                planned=line.planned,
                frustrated=line.frustrated,
                missed=line.missed,
                extra=line.extra,
                visits=line.visits,
                unit_rate=line.unit_rate,
                averaged=line.averaged,
                total=line.total,
                planned_total=line.planned_total,
                comment=line.comment,
            )
            for line in lines
        ],
        total=total(line.total for line in lines),
        planned_total=total(line.planned_total for line in lines),
        confirmed_by=week.confirmed_by,
        confirmed_at=week.confirmed_at,
        revision=week.version,
    )
