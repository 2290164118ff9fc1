"""The visits of a line (timetabled services): read them, replace them; the line's figures are derived
from them (actuals.domain.visits) and costed like any saved line."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from actuals.domain.costs import comment_fault
from actuals.domain.visits import (
    TimetableVisit,
    VisitAsSent,
    figures,
    planned_visits,
    read_visits,
)
from actuals.domain.weeks import Period, week_to_enter
from actuals.handlers.week_access import find_line, line_to_change, require_writer, today, write_line
from actuals.store import visits as visit_store
from actuals.store.lines import Line
from shared.capabilities import Capability, require_capability
from shared.errors import FieldError, Invalid, common_code
from shared.uow import Caller, Work


@dataclass(frozen=True)
class LineVisits:
    version: int
    line: Line
    visits: list[visit_store.Visit]


async def get_visits(
    caller: Caller, work: Work, *, service_id: uuid.UUID, day: date, line_id: uuid.UUID
) -> LineVisits:
    """The visits recorded on the line; before any is recorded, the timetable's visits on the CPLI's
    days in the week as delivered (the plan, not yet stored: `visit_id` is null)."""
    principal = caller.principal
    require_capability(principal, Capability.actuals)
    week_date = week_to_enter(day, today=today())
    async with work.read() as conn:
        _, week, line = await find_line(
            conn, principal, service_id=service_id, week=week_date, line_id=line_id, lock=False
        )
        recorded = await visit_store.visits_of(conn, line_id=line_id)
        if not recorded:
            timetable = await visit_store.timetable_of(conn, cpli_id=line.cpli_id)
            period = await visit_store.period_of(conn, cpli_id=line.cpli_id)
            planned = planned_visits(
                [TimetableVisit(t.weekday, t.start_time, t.minutes, t.carers) for t in timetable],
                Period(period.start_date, period.end_date),
                week_date,
            )
            recorded = [
                visit_store.Visit(
                    visit_id=None,
                    visit_date=v.visit_date,
                    start_time=v.start_time,
                    minutes=v.minutes,
                    carers=v.carers,
                    status=v.status.value,
                )
                for v in planned
            ]
        return LineVisits(week.version, line, recorded)


@dataclass(frozen=True)
class VisitsEntry:
    version: int
    visits: list[VisitAsSent]
    comment: str | None  # None: keep the line's comment


async def save_visits(
    caller: Caller, work: Work, *, service_id: uuid.UUID, day: date, line_id: uuid.UUID, entry: VisitsEntry
) -> LineVisits:
    """The line's visits replaced by these; its actual, frustrated, missed, extra and visits derived
    from them; a comment needed when that differs from plan."""
    principal = caller.principal
    require_writer(principal)
    week_date = week_to_enter(day, today=today())
    async with work.begin(caller.actor) as uow:
        conn = uow.conn
        service, week, line = await line_to_change(
            conn, principal, service_id=service_id, week=week_date, line_id=line_id, version=entry.version
        )
        if line.unit != "Hours":
            raise Invalid.field(
                "visits", f"this line is counted in {line.unit.lower()}: only hours have visits"
            )
        visits, faults = read_visits(entry.visits, week_date)
        codes = {"bad-visits"} if faults else set()
        comment = line.comment if entry.comment is None else entry.comment.strip()
        if entry.comment is not None and (fault := comment_fault(comment)):
            faults.append(FieldError("comment", fault))
            codes.add("invalid-field")
        # A visit that was not read cannot show a variance: the comment rule needs every visit.
        derived = None if visits is None else figures(visits)
        quantities = None if derived is None else derived.quantities(planned=line.planned)
        if quantities is not None and quantities.differs_from_plan and not comment:
            faults.append(FieldError("comment", "is required when delivery differs from plan"))
            codes.add("comment-required")
        if faults:
            raise Invalid.all_of(faults, code=common_code(codes))
        assert visits is not None and derived is not None and quantities is not None
        rows = [
            visit_store.Visit(
                visit_id=None,
                visit_date=v.visit_date,
                start_time=v.start_time,
                minutes=v.minutes,
                carers=v.carers,
                status=v.status.value,
            )
            for v in visits
        ]
        await visit_store.replace_visits(conn, line_id=line_id, authority_id=week.authority_id, visits=rows)
        version, saved = await write_line(
            uow,
            principal,
            service=service,
            week=week,
            line_id=line_id,
            line=line,
            quantities=quantities,
            visits=derived.visits,
            comment=comment,
            action="actuals_visits_saved",
            details={"visits": len(rows)},
        )
        return LineVisits(version, saved, await visit_store.visits_of(conn, line_id=line_id))
