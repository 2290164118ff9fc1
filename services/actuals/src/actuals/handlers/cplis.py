"""The provider's services (with their unconfirmed weeks) and care package line items: lists, the
filters' choices, and the CSV download (seed 002, "Care package line items")."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from actuals.domain.import_file import neutralise
from actuals.domain.weeks import HISTORICAL_AFTER
from actuals.handlers.week_access import today
from actuals.store import cplis, weeks_due
from actuals.store.cplis import CPLI_COLUMNS, CPLI_SORTS, SERVICE_COLUMNS, Cpli, Named, NamedClient
from shared.capabilities import Capability, require_capability
from shared.errors import Invalid
from shared.store import Scope
from shared.uow import Caller, Work

SORTS = tuple(CPLI_SORTS)


class ServiceSummary(BaseModel):
    service_id: uuid.UUID
    reference: str
    name: str
    contract_id: uuid.UUID
    contract_name: str
    payment_basis: str
    unconfirmed_weeks: int


class Summary(BaseModel):
    services: int
    unconfirmed_weeks: int


async def list_services(caller: Caller, work: Work) -> list[ServiceSummary]:
    """The caller's active services in scope, each with its unconfirmed past weeks."""
    principal = caller.principal
    require_capability(principal, Capability.actuals)
    scope = Scope.of(principal, SERVICE_COLUMNS)
    async with work.read() as conn:
        services = await cplis.list_services(conn, scope=scope)
        late = await weeks_due.unconfirmed_weeks(
            conn, scope=Scope.of(principal, weeks_due.SERVICE_ROWS), today=today()
        )
    due = {service.service_id: service.unconfirmed_weeks for service in late}
    return [
        ServiceSummary(
            service_id=s.service_id,
            reference=s.reference,
            name=s.name,
            contract_id=s.contract_id,
            contract_name=s.contract_name,
            payment_basis=s.payment_basis,
            unconfirmed_weeks=due.get(s.service_id, 0),
        )
        for s in services
    ]


async def summary(caller: Caller, work: Work) -> Summary:
    """The home page card: how many services, and their unconfirmed past weeks together."""
    services = await list_services(caller, work)
    return Summary(services=len(services), unconfirmed_weeks=sum(s.unconfirmed_weeks for s in services))


@dataclass(frozen=True)
class CpliFilters:
    service_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    service_level_id: uuid.UUID | None = None
    include_historical: bool = False
    include_unauthorised: bool = False
    sort: str = "client"


def parse_sort(sort: str) -> tuple[str, bool]:
    """`client` or `-client` (descending); only the whitelisted keys."""
    key = sort.removeprefix("-")
    if key not in CPLI_SORTS:
        raise Invalid.field(
            "sort", f"must be one of {', '.join(SORTS)} (with - for descending), not {sort[:40]!r}"
        )
    return key, sort.startswith("-")


async def list_cplis(
    caller: Caller, work: Work, *, filters: CpliFilters, limit: int | None, offset: int
) -> list[Cpli]:
    principal = caller.principal
    require_capability(principal, Capability.care_package_line_items)
    key, descending = parse_sort(filters.sort)
    async with work.read() as conn:
        return await cplis.list_cplis(
            conn,
            scope=Scope.of(principal, CPLI_COLUMNS),
            service_id=filters.service_id,
            client_id=filters.client_id,
            service_level_id=filters.service_level_id,
            # Historical: ended more than 28 days ago (actuals.domain.weeks.is_historical).
            ended_since=None if filters.include_historical else today() - HISTORICAL_AFTER,
            include_unauthorised=filters.include_unauthorised,
            sort=key,
            descending=descending,
            limit=limit,
            offset=offset,
        )


class CpliFilterChoices(BaseModel):
    services: list[Named]
    clients: list[NamedClient]
    service_levels: list[Named]


async def cpli_filters(caller: Caller, work: Work, *, service_id: uuid.UUID | None) -> CpliFilterChoices:
    """What the filters offer: the services in scope, and the clients and service levels of their CPLIs."""
    principal = caller.principal
    require_capability(principal, Capability.care_package_line_items)
    async with work.read() as conn:
        services = await cplis.list_services(conn, scope=Scope.of(principal, SERVICE_COLUMNS))
        scope = Scope.of(principal, CPLI_COLUMNS)
        clients = await cplis.filter_clients(conn, scope=scope, service_id=service_id)
        levels = await cplis.filter_service_levels(conn, scope=scope, service_id=service_id)
    return CpliFilterChoices(
        services=[Named(id=s.service_id, name=s.name) for s in services],
        clients=clients,
        service_levels=levels,
    )


CSV_HEADER = [
    "SSRef",
    "Client",
    "Service",
    "Service Level",
    "Start Date",
    "End Date",
    "Cost",
    "Frequency",
    "Pricing",
    "CarePackageRef",
    "Authorised",
]


def _day(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


async def cplis_csv(caller: Caller, work: Work, *, filters: CpliFilters) -> bytes:
    """Every CPLI matching the filters (no paging) as CSV: UTF-8 with a BOM (Excel reads the names
    right), every text cell that a spreadsheet would run as a formula quoted."""
    rows = await list_cplis(caller, work, filters=filters, limit=None, offset=0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for c in rows:
        writer.writerow(
            [
                neutralise(c.ssref),
                neutralise(c.client_name),
                neutralise(c.service_name),
                neutralise(c.service_level_name),
                _day(c.start_date),
                _day(c.end_date),
                str(c.cost),
                neutralise(c.frequency),
                neutralise(c.pricing),
                neutralise(c.care_package_ref),
                "Yes" if c.authorised else "No",
            ]
        )
    return out.getvalue().encode("utf-8-sig")
