"""A service's week of actuals: read, Generate Actuals, save a line, its visits, confirm."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from actuals.domain.costs import MOST_COMMENT, MOST_VISITS
from actuals.domain.line_entry import LineFigures
from actuals.domain.visits import MAX_CARERS, MAX_MINUTES, VisitAsSent, VisitStatus
from actuals.handlers import visits, week_confirm, weeks
from actuals.handlers.visits import LineVisits, VisitsEntry
from actuals.handlers.weeks import LineEntry, LineFilters, SavedLine, WeekView
from shared.http import CurrentCaller
from shared.money import Money, Rate, Units
from shared.paging import PageDep
from shared.service import WorkDep

provider_api = APIRouter(prefix="/api/v1/actuals/services/{service_id}/weeks/{week}", tags=["actuals"])

LineState = Literal["unplanned", "planned", "intermittent", "locked"]
Quantity = Annotated[str | int, Field(description='units in steps of 0.25, as a string ("7.25") or an int')]


class LinePublic(BaseModel):
    line_id: uuid.UUID | None = Field(description="null while the line is unplanned (not generated yet)")
    cpli_id: uuid.UUID
    client_id: uuid.UUID
    ssref: str
    client_name: str
    service_level_id: uuid.UUID
    service_level_name: str
    unit: str
    actual: Units
    planned: Units
    frustrated: Units
    missed: Units
    extra: Units
    visits: int | None
    unit_rate: Rate
    averaged: bool = Field(description='the rate changed inside the week: shown "(avg price)"')
    total: Money
    planned_total: Money
    comment: str
    state: LineState
    timetabled: bool


class WeekPublic(BaseModel):
    week_id: uuid.UUID | None
    service_id: uuid.UUID
    service_name: str
    week_commencing: date
    state: Literal["not_started", "open", "confirmed", "locked"]
    version: int = Field(description="send it back with every change; 0 while the week is not started")
    can_edit: bool
    can_confirm: bool
    total: Money = Field(description="the whole week's (not the page's)")
    planned_total: Money = Field(description="the whole week's planned cost")
    line_count: int = Field(description="lines matching the filters, over all pages")
    lines: list[LinePublic]


@provider_api.get(
    "", response_model=WeekPublic, summary="A service's week of actuals (one page of its lines)"
)
async def get_week(
    service_id: uuid.UUID,
    week: date,
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    service_level_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    with_actuals: Annotated[bool | None, Query(description="true: only lines with actuals entered")] = None,
    state: LineState | None = None,
) -> WeekView:
    filters = LineFilters(service_level_id, client_id, with_actuals, state)
    found = await weeks.get_week(
        caller, work, service_id=service_id, day=week, filters=filters, limit=page.fetch, offset=page.offset
    )
    return found.model_copy(update={"lines": page.of(found.lines)})


@provider_api.post(
    "/generate",
    response_model=WeekPublic,
    summary="Generate Actuals: a line per authorised CPLI (nothing twice)",
)
async def generate(
    service_id: uuid.UUID, week: date, caller: CurrentCaller, work: WorkDep, page: PageDep
) -> WeekView:
    found = await weeks.generate(caller, work, service_id=service_id, day=week, limit=page.fetch)
    return found.model_copy(update={"lines": page.of(found.lines)})


class LineIn(BaseModel):
    version: int = Field(description="the week's version the change started from")
    actual: Quantity = "0"
    frustrated: Quantity = "0"
    missed: Quantity = "0"
    extra: Quantity = "0"
    visits: Annotated[
        int | str | None,
        Field(
            description=f'a whole number from 0 to {MOST_VISITS}, as an int or a string ("12"); null: none'
        ),
    ] = None
    # Its length is checked with the line's other rules, so that one answer names every fault.
    comment: str = Field(
        "",
        description=f"required when delivery differs from plan; at most {MOST_COMMENT:,} characters",
        json_schema_extra={"maxLength": MOST_COMMENT},
    )


class SavedLinePublic(BaseModel):
    version: int
    line: LinePublic


@provider_api.put("/lines/{line_id}", response_model=SavedLinePublic, summary="Record a line's actuals")
async def save_line(
    service_id: uuid.UUID, week: date, line_id: uuid.UUID, body: LineIn, caller: CurrentCaller, work: WorkDep
) -> SavedLine:
    figures = LineFigures(body.actual, body.frustrated, body.missed, body.extra, body.visits, body.comment)
    entry = LineEntry(version=body.version, figures=figures)
    return await weeks.save_line(caller, work, service_id=service_id, day=week, line_id=line_id, entry=entry)


class VisitIn(BaseModel):
    # Each field is read with the visits' rules (actuals.domain.visits.read_visits), so that one answer
    # names every fault of every visit and the comment, as the line form's does.
    visit_date: str = Field(json_schema_extra={"format": "date"}, description="YYYY-MM-DD, a day of the week")
    start_time: str = Field(
        json_schema_extra={"format": "time"}, description="HH:MM, local (an offset given is dropped)"
    )
    minutes: int | str = Field(description=f"1 to {MAX_MINUTES}, as an int or a string")
    carers: int | str = Field(1, description=f"1 to {MAX_CARERS}, as an int or a string")
    status: str = Field(json_schema_extra={"enum": [s.value for s in VisitStatus]})


class VisitPublic(BaseModel):
    visit_id: uuid.UUID | None = Field(description="null for the timetable's visits before any is saved")
    visit_date: date
    start_time: time
    minutes: int
    carers: int
    status: VisitStatus


class VisitsIn(BaseModel):
    version: int
    visits: list[VisitIn] = Field(max_length=500)
    # Its length is checked with the visits' rules, so that one answer names every fault.
    comment: str | None = Field(
        None,
        description=f"the line's comment (null: keep it); at most {MOST_COMMENT:,} characters",
        json_schema_extra={"maxLength": MOST_COMMENT},
    )


class LineVisitsPublic(BaseModel):
    version: int
    line: LinePublic
    visits: list[VisitPublic]


@provider_api.get("/lines/{line_id}/visits", response_model=LineVisitsPublic, summary="A line's visits")
async def get_visits(
    service_id: uuid.UUID, week: date, line_id: uuid.UUID, caller: CurrentCaller, work: WorkDep
) -> LineVisits:
    return await visits.get_visits(caller, work, service_id=service_id, day=week, line_id=line_id)


@provider_api.put(
    "/lines/{line_id}/visits",
    response_model=LineVisitsPublic,
    summary="Replace a line's visits (figures derived)",
)
async def save_visits(
    service_id: uuid.UUID,
    week: date,
    line_id: uuid.UUID,
    body: VisitsIn,
    caller: CurrentCaller,
    work: WorkDep,
) -> LineVisits:
    entry = VisitsEntry(
        version=body.version,
        visits=[VisitAsSent(v.visit_date, v.start_time, v.minutes, v.carers, v.status) for v in body.visits],
        comment=body.comment,
    )
    return await visits.save_visits(
        caller, work, service_id=service_id, day=week, line_id=line_id, entry=entry
    )


class ConfirmIn(BaseModel):
    version: int = Field(description="the week's version as shown (0 for a week not started)")


@provider_api.post("/confirm", response_model=WeekPublic, summary="Confirm the week (also with no changes)")
async def confirm(
    service_id: uuid.UUID, week: date, body: ConfirmIn, caller: CurrentCaller, work: WorkDep, page: PageDep
) -> WeekView:
    found = await week_confirm.confirm(
        caller, work, service_id=service_id, day=week, version=body.version, limit=page.fetch
    )
    return found.model_copy(update={"lines": page.of(found.lines)})
