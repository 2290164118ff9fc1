"""The council's care packages: bulk upserts of clients, service levels and CPLIs by the council's own
references, and their lists (DOMAIN.md "Care package line items").

A bulk upsert is all or nothing: every item is checked (its shape, then its references against what the
authority holds) and every fault is listed with the item's index and field before anything is written.
Each created or changed row gets a new revision and publishes its full state; an unchanged item writes and
publishes nothing (it is counted). The SQL is set-based (`store.reference`), so 10,000 items are a few
statements, not 10,000 round trips.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Literal

import asyncpg
from pydantic import BaseModel, ConfigDict, Field, field_validator

from actuals.store import reference as store
from actuals.store.reference import Client, ServiceLevel
from shared import bulk
from shared.auth import Principal
from shared.bulk import Fault, refuse, unique_references, validate_items
from shared.capabilities import Capability, require_capability
from shared.dates import out_of_range
from shared.errors import Forbidden
from shared.events import ClientUpserted, RateState, ServiceLevelUpserted
from shared.money import Money, Rate, Units
from shared.store import Scope
from shared.uow import Caller, UnitOfWork, Work

MAX_ITEMS = 10_000
REFERENCE = r"^[A-Za-z0-9][A-Za-z0-9 /_.:#-]*$"
# One line of text: no control characters (names and references end up in CSVs and pages).
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"

Reference = Annotated[str, Field(min_length=1, max_length=60, pattern=REFERENCE)]
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=ONE_LINE)]

# Before it a date of birth is a slip, and 0001-01-01 would be kept as -infinity (shared.dates).
FIRST_BIRTH = date(1900, 1, 1)


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class ClientIn(_Item):
    """A service user, by the council's reference (SSRef)."""

    reference: Reference = Field(description="The council's reference (SSRef)", examples=["A201000005"])
    name: Text = Field(description="Name as the council records it", examples=["Miss Pamela Portal"])
    date_of_birth: date | None = Field(None, description="Date of birth, YYYY-MM-DD")


class RateIn(_Item):
    effective_from: date = Field(description="First day the rate applies")
    rate: Rate = Field(description="Unit rate in pounds, at most 4 decimal places", examples=["646.0600"])


class ServiceLevelIn(_Item):
    """What is commissioned, in which unit, with its whole rate history (which replaces the stored one)."""

    reference: Reference = Field(description="The council's reference", examples=["SL-B4-SR-LT"])
    name: Text = Field(description="Name", examples=["Band 4 - Single Room - Long Term"])
    unit: Literal["Hours", "Weeks", "Nights"] = Field(description="The unit quantities are counted in")
    extras_payable: bool = Field(True, description="Extra units are payable on this service type")
    rates: list[RateIn] = Field(min_length=1, max_length=500, description="The full rate history")


class VisitIn(_Item):
    weekday: int = Field(ge=0, le=6, description="0 Monday ... 6 Sunday")
    start_time: time = Field(description="Planned start, HH:MM, local time (no zone)")
    minutes: int = Field(gt=0, le=1440, description="Planned length in minutes")
    carers: int = Field(1, ge=1, le=10, description="Carers on the visit")

    @field_validator("start_time")
    @classmethod
    def _local(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("a visit starts at a local time (HH:MM), without a time zone")
        return value


class CpliIn(_Item):
    """A care package line item: a client's package from one service, at one service level."""

    reference: Reference = Field(description="The council's reference for the line", examples=["CPLI-735810"])
    client_reference: Reference = Field(description="The client's SSRef (a client of this authority)")
    service_level_reference: Reference = Field(description="The service level's reference")
    service_id: uuid.UUID = Field(description="The provider service (its organisation and contract follow)")
    care_package_ref: Text = Field(description="Care package reference", examples=["M2872/Migr:735810"])
    start_date: date = Field(description="First day commissioned")
    end_date: date | None = Field(None, description="Last day commissioned; null while open-ended")
    cost: Money = Field(description="Commissioned cost in pounds", examples=["646.06"])
    frequency: Annotated[str, Field(min_length=1, max_length=40, pattern=ONE_LINE)] = Field(
        description="How often the cost applies", examples=["Weekly"]
    )
    pricing: Annotated[str, Field(max_length=200, pattern=ONE_LINE)] = Field(
        "", description="Pricing text", examples=["1 x Placement at £646.06 (Spot)"]
    )
    units_per_week: Units | None = Field(None, description="Planned units a week (when not timetabled)")
    timetable: list[VisitIn] = Field(
        default_factory=list, max_length=100, description="Planned visits (when timetabled)"
    )
    authorised: bool = Field(description="Only authorised CPLIs are paid")


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int


# --- shared checks -----------------------------------------------------------------------------------


def require_council(principal: Principal, *, edit: bool = False) -> None:
    """The council API is the council's (staff or systems): Care Management's capability, edit to write."""
    if not principal.is_council:
        raise Forbidden("only the council can use the council API")
    require_capability(principal, Capability.care_package_line_items, edit=edit)


def require_count(items: Sequence[object]) -> None:
    bulk.require_count(items, limit=MAX_ITEMS)


# --- clients -----------------------------------------------------------------------------------------


async def upsert_clients(caller: Caller, work: Work, *, items: Sequence[object]) -> UpsertResult:
    principal = caller.principal
    require_council(principal, edit=True)
    require_count(items)
    faults: list[Fault] = []
    valid = validate_items(ClientIn, items, faults)
    unique_references(valid, faults)
    today = date.today()
    for index, client in valid:
        if client.date_of_birth is not None and client.date_of_birth > today:
            faults.append(Fault(index, "date_of_birth", "the date of birth is in the future"))
        if client.date_of_birth is not None and client.date_of_birth < FIRST_BIRTH:
            born = client.date_of_birth.isoformat()
            faults.append(Fault(index, "date_of_birth", f"must be on or after {FIRST_BIRTH} (it is {born})"))
    refuse(faults)
    clients = [c for _, c in valid]
    async with work.begin(caller.actor) as uow:
        written = await store.upsert_clients(
            uow.conn,
            authority_id=principal.authority_id,
            references=[c.reference for c in clients],
            names=[c.name for c in clients],
            dates_of_birth=[c.date_of_birth for c in clients],
        )
        await uow.publish_many([(client_event(w), w.client_id, w.authority_id) for w in written])
        result = upsert_result(len(clients), created=sum(w.created for w in written), changed=len(written))
        await audit_upsert(uow, "clients_upserted", principal, result)
    return result


def client_event(client: Client) -> ClientUpserted:
    return ClientUpserted(
        client_id=client.client_id,
        authority_id=client.authority_id,
        reference=client.reference,
        name=client.name,
        date_of_birth=client.date_of_birth,
        revision=client.revision,
        updated_at=client.updated_at,
    )


# --- service levels ----------------------------------------------------------------------------------


def _rates_of(level: ServiceLevelIn) -> list[tuple[date, Decimal]]:
    return sorted((r.effective_from, r.rate) for r in level.rates)


async def upsert_service_levels(caller: Caller, work: Work, *, items: Sequence[object]) -> UpsertResult:
    principal = caller.principal
    require_council(principal, edit=True)
    require_count(items)
    faults: list[Fault] = []
    valid = validate_items(ServiceLevelIn, items, faults)
    unique_references(valid, faults)
    for index, level in valid:
        days = [r.effective_from for r in level.rates]
        for day in sorted({d for d in days if days.count(d) > 1}):
            faults.append(Fault(index, "rates", f"two rates are effective from {day.isoformat()}"))
        for day in sorted(set(days)):
            if fault := out_of_range(day):
                faults.append(Fault(index, "rates", f"effective_from {fault}"))
        if any(r.rate < 0 for r in level.rates):
            faults.append(Fault(index, "rates", "a rate cannot be negative"))
    refuse(faults)
    levels = [level for _, level in valid]
    scope = Scope.of(principal, store.LEVEL_ROWS)
    async with work.begin(caller.actor) as uow:
        existing = {
            s.reference: s
            for s in await store.service_levels_by_reference(
                uow.conn, scope=scope, references=[s.reference for s in levels], for_update=True
            )
        }
        await _keep_hours_for_timetables(uow.conn, scope, valid, existing)
        changed = [s for s in levels if _level_changed(existing.get(s.reference), s)]
        if changed:
            ids = await store.write_service_levels(
                uow.conn,
                authority_id=principal.authority_id,
                references=[s.reference for s in changed],
                names=[s.name for s in changed],
                units=[s.unit for s in changed],
                extras_payable=[s.extras_payable for s in changed],
                rates=[_rates_of(s) for s in changed],
            )
            now = await store.service_levels_by_id(uow.conn, scope=scope, ids=ids)
            await uow.publish_many(
                [(service_level_event(s), s.service_level_id, s.authority_id) for s in now]
            )
        created = sum(1 for s in changed if s.reference not in existing)
        result = upsert_result(len(levels), created=created, changed=len(changed))
        await audit_upsert(uow, "service_levels_upserted", principal, result)
    return result


async def _keep_hours_for_timetables(
    conn: asyncpg.Connection,
    scope: Scope,
    valid: Sequence[tuple[int, ServiceLevelIn]],
    existing: dict[str, ServiceLevel],
) -> None:
    """A level in hours whose CPLIs have timetables keeps its unit: visits are counted in hours, and the
    CPLIs' planned figures come from them."""
    leaving_hours = {
        existing[level.reference].service_level_id: index
        for index, level in valid
        if level.reference in existing and existing[level.reference].unit == "Hours" and level.unit != "Hours"
    }
    if not leaving_hours:
        return
    timetabled = await store.timetabled_cplis_by_level(
        conn, scope=scope, service_level_ids=list(leaving_hours)
    )
    faults = [
        Fault(
            leaving_hours[level_id],
            "unit",
            f"{count} care package line{'' if count == 1 else 's'} with a timetable of visits"
            f" use{'s' if count == 1 else ''} this service level: its unit stays Hours while they do",
        )
        for level_id, count in timetabled.items()
    ]
    refuse(faults)


def _level_changed(current: ServiceLevel | None, wanted: ServiceLevelIn) -> bool:
    if current is None:
        return True
    return (
        current.name,
        current.unit,
        current.extras_payable,
        [(r.effective_from, r.rate) for r in current.rates],
    ) != (
        wanted.name,
        wanted.unit,
        wanted.extras_payable,
        _rates_of(wanted),
    )


def service_level_event(level: ServiceLevel) -> ServiceLevelUpserted:
    return ServiceLevelUpserted(
        service_level_id=level.service_level_id,
        authority_id=level.authority_id,
        reference=level.reference,
        name=level.name,
        unit=level.unit,  # the table's CHECK holds it to the three units
        extras_payable=level.extras_payable,
        rates=[RateState(effective_from=r.effective_from, rate=r.rate) for r in level.rates],
        revision=level.revision,
        updated_at=level.updated_at,
    )


# --- lists -------------------------------------------------------------------------------------------


async def list_clients(caller: Caller, work: Work, *, limit: int, offset: int) -> list[Client]:
    require_council(caller.principal)
    async with work.read() as conn:
        return await store.list_clients(
            conn, scope=Scope.of(caller.principal, store.AUTHORITY_ROWS), limit=limit, offset=offset
        )


async def list_service_levels(caller: Caller, work: Work, *, limit: int, offset: int) -> list[ServiceLevel]:
    require_council(caller.principal)
    async with work.read() as conn:
        return await store.list_service_levels(
            conn, scope=Scope.of(caller.principal, store.LEVEL_ROWS), limit=limit, offset=offset
        )


# --- helpers -----------------------------------------------------------------------------------------


def upsert_result(total: int, *, created: int, changed: int) -> UpsertResult:
    return UpsertResult(created=created, updated=changed - created, unchanged=total - changed)


async def audit_upsert(uow: UnitOfWork, action: str, principal: Principal, result: UpsertResult) -> None:
    await uow.audit(
        action,
        authority_id=principal.authority_id,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    uow.log(action, created=result.created, updated=result.updated, unchanged=result.unchanged)
