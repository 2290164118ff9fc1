"""The provider's services, the home page card and the care package line items (list, filters, CSV)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from actuals.handlers import cplis
from actuals.handlers.cplis import CpliFilterChoices, CpliFilters, ServiceSummary, Summary
from actuals.store.cplis import Cpli
from shared.http import CurrentCaller
from shared.money import Money
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

provider_api = APIRouter(prefix="/api/v1/actuals", tags=["care package line items"])

SORT_HELP = (
    "ssref | client | service | service_level | start_date | end_date | authorised; '-' first: descending"
)


class CpliPublic(BaseModel):
    cpli_id: uuid.UUID
    ssref: str
    client_id: uuid.UUID
    client_name: str
    service_id: uuid.UUID
    service_name: str
    service_level_id: uuid.UUID
    service_level_name: str
    unit: str
    start_date: date
    end_date: date | None
    cost: Money
    frequency: str
    pricing: str
    care_package_ref: str
    authorised: bool


@provider_api.get(
    "/services",
    response_model=list[ServiceSummary],
    summary="My current services, with the past weeks of actuals not confirmed yet",
    responses=PAGED,
)
async def list_services(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[ServiceSummary]:
    # A provider has a handful of services: read whole (each with its count), then paged.
    return page.cut(await cplis.list_services(caller, work))


@provider_api.get(
    "/summary", response_model=Summary, summary="For the home page: services and weeks to confirm"
)
async def summary(caller: CurrentCaller, work: WorkDep) -> Summary:
    return await cplis.summary(caller, work)


def cpli_filters(
    service_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    service_level_id: uuid.UUID | None = None,
    include_historical: bool = False,
    include_unauthorised: bool = False,
    sort: Annotated[str, Query(max_length=40, description=SORT_HELP)] = "client",
) -> CpliFilters:
    return CpliFilters(
        service_id, client_id, service_level_id, include_historical, include_unauthorised, sort
    )


@provider_api.get(
    "/cplis", response_model=list[CpliPublic], summary="Care package line items in my scope", responses=PAGED
)
async def list_cplis(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    service_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    service_level_id: uuid.UUID | None = None,
    include_historical: bool = False,
    include_unauthorised: bool = False,
    sort: Annotated[str, Query(max_length=40, description=SORT_HELP)] = "client",
) -> list[Cpli]:
    filters = cpli_filters(
        service_id, client_id, service_level_id, include_historical, include_unauthorised, sort
    )
    return page.of(
        await cplis.list_cplis(caller, work, filters=filters, limit=page.fetch, offset=page.offset)
    )


@provider_api.get(
    "/cplis/filters", response_model=CpliFilterChoices, summary="The choices of the CPLI list's filters"
)
async def filters(
    caller: CurrentCaller, work: WorkDep, service_id: uuid.UUID | None = None
) -> CpliFilterChoices:
    return await cplis.cpli_filters(caller, work, service_id=service_id)


@provider_api.get(
    "/cplis.csv",
    summary="The care package line items as CSV (same filters, no paging)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def cplis_csv(
    caller: CurrentCaller,
    work: WorkDep,
    service_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    service_level_id: uuid.UUID | None = None,
    include_historical: bool = False,
    include_unauthorised: bool = False,
    sort: Annotated[str, Query(max_length=40, description=SORT_HELP)] = "client",
) -> Response:
    filters = cpli_filters(
        service_id, client_id, service_level_id, include_historical, include_unauthorised, sort
    )
    body = await cplis.cplis_csv(caller, work, filters=filters)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="care-package-line-items.csv"'},
    )
