"""A service's week of actuals: read it, Generate Actuals, record a line, confirm it (docs/actuals.md,
"A week of actuals").

The week write protocol: every write locks the week row first, refuses unless the week is open
(409 naming its state), checks the version the caller started from (409 when someone else saved since)
and bumps the version with its change, all in one unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import asyncpg
from pydantic import BaseModel

from actuals.domain.costs import Quantities
from actuals.domain.generate import PlannedCpli, PlannedVisit, lines_to_generate
from actuals.domain.line_entry import LineFigures, record_line
from actuals.domain.weeks import Period, week_to_enter
from actuals.handlers.week_access import (
    Pricing,
    find_service,
    line_to_change,
    may_write,
    require_open,
    require_writer,
    today,
    week_scope,
    write_line,
)
from actuals.store import lines, weeks
from actuals.store import visits as visit_store
from actuals.store.cplis import SERVICE_COLUMNS, Service
from actuals.store.lines import Line
from actuals.store.weeks import Week
from shared.auth import Principal
from shared.capabilities import Capability, require_capability
from shared.store import Scope
from shared.uow import Caller, Work


@dataclass(frozen=True)
class LineFilters:
    service_level_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    with_actuals: bool | None = None
    state: str | None = None


class WeekView(BaseModel):
    week_id: uuid.UUID | None
    service_id: uuid.UUID
    service_name: str
    week_commencing: date
    state: str  # not_started | open | confirmed | locked
    version: int  # 0 while the week has no row
    can_edit: bool
    can_confirm: bool
    total: Decimal
    planned_total: Decimal
    line_count: int  # lines matching the filters (for the pages)
    lines: list[Line]


# --- reading a week ------------------------------------------------------------------------------


async def view(
    conn: asyncpg.Connection,
    principal: Principal,
    service: Service,
    week: Week | None,
    day: date,
    *,
    filters: LineFilters,
    limit: int,
    offset: int,
) -> WeekView:
    """The week as the page shows it: one page of lines (two set-based queries and the totals). In a
    transaction (the plans are made for the values: `lines.plan_for_the_values`)."""
    await lines.plan_for_the_values(conn)
    week_id = week.week_id if week else None
    locked = week is not None and week.state == "locked"
    rows = lines.WeekRows(
        service_id=service.service_id,
        week_id=week_id,
        week=day,
        locked=locked,
        service_level_id=filters.service_level_id,
        client_id=filters.client_id,
        with_actuals=filters.with_actuals,
        state=filters.state,
    )
    scope = Scope.of(principal, SERVICE_COLUMNS)
    page = await lines.week_page(conn, scope=scope, rows=rows, limit=limit, offset=offset)
    if page:
        matching = page[0].matching
    elif offset:
        matching = await lines.count_matching(conn, scope=scope, rows=rows)
    else:
        matching = 0
    totals = await lines.week_totals(conn, week_id=week_id)
    state = week.state if week else "not_started"
    writable = may_write(principal) and state in ("open", "not_started")
    return WeekView(
        week_id=week_id,
        service_id=service.service_id,
        service_name=service.name,
        week_commencing=day,
        state=state,
        version=week.version if week else 0,
        can_edit=writable,
        can_confirm=writable,
        total=totals.total,
        planned_total=totals.planned_total,
        line_count=matching,
        lines=list(page),
    )


async def get_week(
    caller: Caller,
    work: Work,
    *,
    service_id: uuid.UUID,
    day: date | None,
    filters: LineFilters,
    limit: int,
    offset: int,
) -> WeekView:
    principal = caller.principal
    require_capability(principal, Capability.actuals)
    week = week_to_enter(day, today=today())
    async with work.read() as conn, conn.transaction():
        service = await find_service(conn, principal, service_id)
        found = await weeks.get_week(
            conn, scope=week_scope(principal), service_id=service.service_id, week=week
        )
        return await view(conn, principal, service, found, week, filters=filters, limit=limit, offset=offset)


# --- Generate Actuals ----------------------------------------------------------------------------


async def generate(
    caller: Caller, work: Work, *, service_id: uuid.UUID, day: date | None, limit: int
) -> WeekView:
    """A line for every authorised CPLI with a day in the week that has none yet, with its plan and
    its costs (delivered as planned until someone records otherwise), in one INSERT."""
    principal = caller.principal
    require_writer(principal)
    week_date = week_to_enter(day, today=today())
    async with work.begin(caller.actor) as uow:
        conn = uow.conn
        service = await find_service(conn, principal, service_id)
        week = await weeks.ensure_week(
            conn, scope=week_scope(principal), service_id=service.service_id, week=week_date
        )
        require_open(week)
        plans = await lines.plans_to_generate(
            conn, service_id=service.service_id, week_id=week.week_id, week=week_date
        )
        pricing = await Pricing.load(conn, service, {plan.service_level_id for plan in plans})
        kinds: list[lines.Kind] = []
        cpli_ids: list[uuid.UUID] = []
        client_ids: list[uuid.UUID] = []
        kind_of: list[int] = []
        for plan in plans:
            # The rule's answer depends only on the plan (days, units, timetable), so it is asked once
            # for each plan and holds for every CPLI that shares it.
            made = lines_to_generate([planned_cpli(plan)], week_date, existing=set())
            if not made:
                continue
            new = made[0]
            cost = pricing.cost(
                Quantities(actual=new.planned, planned=new.planned), plan.service_level_id, week_date
            )
            kinds.append(
                lines.Kind(
                    planned=new.planned,
                    visits=new.visits,
                    unit_rate=cost.unit_rate,
                    averaged=cost.averaged,
                    total=cost.total,
                    planned_total=cost.planned_total,
                )
            )
            cpli_ids += plan.cpli_ids
            client_ids += plan.client_ids
            kind_of += [len(kinds) - 1] * len(plan.cpli_ids)
        added = 0
        if cpli_ids:
            added = await lines.insert_lines(
                conn,
                week_id=week.week_id,
                by=principal.subject,
                cpli_ids=cpli_ids,
                client_ids=client_ids,
                kind_of=kind_of,
                kinds=kinds,
            )
        if added:
            await weeks.bump(conn, week_id=week.week_id)
        await uow.audit(
            "actuals_generated",
            authority_id=week.authority_id,
            organisation_id=week.organisation_id,
            subject_id=week.week_id,
            lines=added,
        )
        uow.log("actuals_generated", week_id=str(week.week_id), lines=added)
        after = await weeks.get_week(
            conn, scope=week_scope(principal), service_id=service.service_id, week=week_date
        )
        return await view(
            conn, principal, service, after, week_date, filters=LineFilters(), limit=limit, offset=0
        )


def planned_cpli(plan: lines.Plan) -> PlannedCpli:
    """The domain's view of a plan (its first CPLI standing for all that share it)."""
    return PlannedCpli(
        cpli_id=plan.cpli_ids[0],
        client_id=plan.client_ids[0],
        period=Period(plan.start_date, plan.end_date),
        authorised=True,  # only authorised CPLIs are read
        units_per_week=plan.units_per_week,
        timetable=tuple(
            PlannedVisit(day, minutes, carers)
            for day, minutes, carers in zip(plan.weekdays, plan.minutes, plan.carers, strict=True)
        ),
    )


# --- recording a line ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LineEntry:
    version: int
    figures: LineFigures


@dataclass(frozen=True)
class SavedLine:
    version: int
    line: Line


async def save_line(
    caller: Caller, work: Work, *, service_id: uuid.UUID, day: date, line_id: uuid.UUID, entry: LineEntry
) -> SavedLine:
    """The line's actuals as the provider records them (every fault of them named at once); planned
    stays the plan's."""
    principal = caller.principal
    require_writer(principal)
    week_date = week_to_enter(day, today=today())
    async with work.begin(caller.actor) as uow:
        conn = uow.conn
        service, week, line = await line_to_change(
            conn, principal, service_id=service_id, week=week_date, line_id=line_id, version=entry.version
        )
        # A line with recorded visits takes its figures from them: a save may change its comment only.
        fixed = _figures(line) if await visit_store.visits_of(conn, line_id=line_id) else None
        recorded = record_line(entry.figures, planned=line.planned, fixed=fixed)
        version, saved = await write_line(
            uow,
            principal,
            service=service,
            week=week,
            line_id=line_id,
            line=line,
            quantities=recorded.quantities,
            visits=recorded.visits,
            comment=recorded.comment,
            action="actuals_line_saved",
        )
        return SavedLine(version, saved)


def _figures(line: Line) -> dict[str, Decimal | int | None]:
    return {name: getattr(line, name) for name in ("actual", "frustrated", "missed", "extra", "visits")}
