"""The council API of actuals (/council/v1/actuals): bulk upserts and lists of clients, service levels
and CPLIs; unlocking weeks, the confirmations and the late weeks (docs/actuals.md, "Council API")."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from actuals.handlers import council_weeks, reference
from actuals.handlers.reference import (
    MAX_ITEMS,
    ClientIn,
    CpliIn,
    Fault,
    ItemsInvalid,
    ServiceLevelIn,
    UpsertResult,
)
from actuals.store.council_weeks import Confirmation, Week
from actuals.store.reference import Client, Cpli, ServiceLevel
from actuals.store.weeks_due import DueService
from shared.errors import Invalid
from shared.http import CurrentCaller
from shared.money import Money, Rate
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/council/v1/actuals", tags=["council"])
NDJSON = "application/x-ndjson"
LONDON = ZoneInfo("Europe/London")  # the councils' weeks start at midnight, UK time


# --- the bulk body: a JSON array, or NDJSON --------------------------------------------------------------


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON schema with its `$defs` put in place (an OpenAPI request body cannot point at
    pydantic's local definitions)."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)  # type: ignore[no-any-return]


def bulk_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI of a bulk body: a JSON array of `model`, or the same items as NDJSON."""
    items = _inline(model.model_json_schema())
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "items": items, "minItems": 1, "maxItems": MAX_ITEMS}
                },
                NDJSON: {
                    "schema": {"type": "string", "description": f"one {model.__name__} JSON object a line"}
                },
            },
        }
    }


def _loads(text: str) -> Any:
    # Numbers as Decimal: a rate of 18.5400 or a cost of 646.06 arrive exactly (a float cannot hold them).
    return json.loads(text, parse_float=Decimal)


async def read_items(request: Request) -> list[object]:
    """The items of a bulk call: a JSON array, or NDJSON (one JSON object a line, blank lines ignored).
    422 naming what is wrong with the body as a whole (item faults come later, from the handler)."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid.field("body", "the body is not UTF-8 text", code="invalid-body") from exc
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == NDJSON:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
        if len(lines) > MAX_ITEMS:
            reference.require_count(lines)  # refuses, naming the limit, before parsing them all
        items: list[object] = []
        broken: list[Fault] = []
        for index, (n, line) in enumerate(lines):
            try:
                items.append(_loads(line))
            except ValueError as exc:
                broken.append(Fault(index, "", f"line {n} is not JSON ({exc})"))
        if broken:
            raise ItemsInvalid(broken)
        return items
    try:
        body = _loads(text)
    except ValueError as exc:
        raise Invalid.field(
            "body",
            f"the body is not JSON ({exc}); send a JSON array, or NDJSON as {NDJSON}",
            code="invalid-body",
        ) from exc
    if not isinstance(body, list):
        raise Invalid.field(
            "body", f"send a JSON array of items (or NDJSON as {NDJSON})", code="invalid-body"
        )
    return body


class UpsertResultOut(BaseModel):
    created: int = Field(description="New rows (each published)")
    updated: int = Field(description="Changed rows (each published with a new revision)")
    unchanged: int = Field(description="Items that matched what is stored (neither written nor published)")


# --- clients, service levels, CPLIs ----------------------------------------------------------------------


class ClientOut(BaseModel):
    client_id: uuid.UUID
    reference: str
    name: str
    date_of_birth: date | None
    revision: int
    updated_at: datetime


class RateOut(BaseModel):
    effective_from: date
    rate: Rate


class ServiceLevelOut(BaseModel):
    service_level_id: uuid.UUID
    reference: str
    name: str
    unit: str
    extras_payable: bool
    rates: list[RateOut]
    revision: int
    updated_at: datetime


class VisitOut(BaseModel):
    weekday: int
    start_time: str
    minutes: int
    carers: int


class CpliOut(BaseModel):
    cpli_id: uuid.UUID
    reference: str
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID
    client_id: uuid.UUID
    client_reference: str
    service_level_id: uuid.UUID
    service_level_reference: str
    care_package_ref: str
    start_date: date
    end_date: date | None
    cost: Money
    frequency: str
    pricing: str
    units_per_week: str | None
    timetable: list[VisitOut]
    authorised: bool
    revision: int
    updated_at: datetime


def _cpli_out(cpli: Cpli) -> CpliOut:
    return CpliOut(
        **cpli.model_dump(exclude={"timetable", "units_per_week"}),
        units_per_week=None if cpli.units_per_week is None else str(cpli.units_per_week),
        timetable=[
            VisitOut(
                weekday=v.weekday,
                start_time=v.start_time.strftime("%H:%M"),
                minutes=v.minutes,
                carers=v.carers,
            )
            for v in cpli.timetable
        ],
    )


@router.post(
    "/clients",
    response_model=UpsertResultOut,
    summary="Create or change clients by their reference (SSRef), up to 10,000 a call; all or nothing",
    openapi_extra=bulk_body(ClientIn),
)
async def upsert_clients(request: Request, caller: CurrentCaller, work: WorkDep) -> UpsertResult:
    return await reference.upsert_clients(caller, work, items=await read_items(request))


@router.get("/clients", response_model=list[ClientOut], responses=PAGED, summary="The authority's clients")
async def list_clients(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[Client]:
    return page.of(await reference.list_clients(caller, work, limit=page.fetch, offset=page.offset))


@router.post(
    "/service-levels",
    response_model=UpsertResultOut,
    summary="Create or change service levels and their rate histories, up to 10,000 a call; all or nothing",
    openapi_extra=bulk_body(ServiceLevelIn),
)
async def upsert_service_levels(request: Request, caller: CurrentCaller, work: WorkDep) -> UpsertResult:
    return await reference.upsert_service_levels(caller, work, items=await read_items(request))


@router.get(
    "/service-levels",
    response_model=list[ServiceLevelOut],
    responses=PAGED,
    summary="The authority's service levels",
)
async def list_service_levels(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[ServiceLevel]:
    return page.of(await reference.list_service_levels(caller, work, limit=page.fetch, offset=page.offset))


@router.post(
    "/cplis",
    response_model=UpsertResultOut,
    summary="Create or change care package line items, up to 10,000 a call; all or nothing",
    openapi_extra=bulk_body(CpliIn),
)
async def upsert_cplis(request: Request, caller: CurrentCaller, work: WorkDep) -> UpsertResult:
    return await reference.upsert_cplis(caller, work, items=await read_items(request))


@router.get("/cplis", response_model=list[CpliOut], responses=PAGED, summary="The authority's CPLIs")
async def list_cplis(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    organisation_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
) -> list[CpliOut]:
    rows = await reference.list_cplis(
        caller,
        work,
        organisation_id=organisation_id,
        service_id=service_id,
        limit=page.fetch,
        offset=page.offset,
    )
    return [_cpli_out(c) for c in page.of(rows)]


# --- weeks ---------------------------------------------------------------------------------------------


class UnlockIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="Why (the provider reads it)")


class WeekOut(BaseModel):
    week_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID
    week_commencing: date
    state: str
    version: int


class ConfirmationOut(BaseModel):
    confirmation_id: uuid.UUID
    week_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID
    service_name: str | None
    week_commencing: date
    action: str = Field(description="confirmed, unlocked or locked")
    at: datetime
    by_subject: str
    reason: str
    lines: int
    total: Money
    planned_total: Money


class LateService(BaseModel):
    service_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_reference: str
    service_name: str
    unconfirmed_weeks: int = Field(
        description="Past weeks (up to 12 back) with authorised care, not confirmed"
    )
    weeks: list[date] = Field(description="Their Mondays, oldest first")


@router.post(
    "/weeks/{week_id}/unlock",
    response_model=WeekOut,
    summary="Unlock a confirmed week for the provider to correct (a locked week stays locked)",
)
async def unlock_week(week_id: uuid.UUID, body: UnlockIn, caller: CurrentCaller, work: WorkDep) -> Week:
    return await council_weeks.unlock_week(caller, work, week_id=week_id, reason=body.reason)


@router.get(
    "/confirmations",
    response_model=list[ConfirmationOut],
    responses=PAGED,
    summary="Confirmations, unlocks and locks of weeks, newest first",
)
async def list_confirmations(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    organisation_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
) -> list[Confirmation]:
    rows = await council_weeks.list_confirmations(
        caller,
        work,
        organisation_id=organisation_id,
        service_id=service_id,
        limit=page.fetch,
        offset=page.offset,
    )
    return page.of(rows)


@router.get(
    "/late-weeks",
    response_model=list[LateService],
    summary="Per service, the past weeks (up to 12 back) with authorised care that are not confirmed",
    responses=PAGED,
)
async def late_weeks(
    caller: CurrentCaller, work: WorkDep, page: PageDep, organisation_id: uuid.UUID | None = None
) -> list[DueService]:
    # Only the late services, each one row: read whole, then paged.
    late = await council_weeks.late_weeks(
        caller, work, organisation_id=organisation_id, today=datetime.now(LONDON).date()
    )
    return page.cut(late)
