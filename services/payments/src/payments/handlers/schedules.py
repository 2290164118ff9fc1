"""The council's payment schedules and calendar: a bulk upsert by contract (all or nothing, every fault by
item index and field, shared.bulk), a schedule and its periods, and moving one period's dates."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from payments.domain.calendar import DAYS, PeriodDates, calendar_end, check_dates
from payments.domain.periods import year_bounds
from payments.store import schedules as store
from payments.store.schedules import ScheduleRow
from shared.auth import Principal
from shared.bulk import Fault, refuse, require_count, validate_items
from shared.dates import out_of_range
from shared.errors import Conflict, Forbidden, NotFound
from shared.money import Rate
from shared.store import AuthorityScope
from shared.uow import Caller, Work

MAX_SCHEDULES = 1_000
# A calendar is laid from its anchor to the end of the next financial year: an anchor in year 1 would lay
# ~105k weekly periods, and one near 9999 a year that has no date.
Days = Annotated[int, Field(ge=0, le=60)]


class ScheduleIn(BaseModel):
    """A contract's payment schedule; the defaults are DOMAIN.md's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contract_id: uuid.UUID = Field(description="The contract")
    frequency: Literal["weekly", "four_weekly"] | None = Field(
        None, description="weekly or four_weekly; default: the contract's"
    )
    anchor_date: date = Field(
        description="The first day of a period; the calendar starts there (2000-01-01 to 2099-12-31)"
    )
    amendment_days: Days = Field(2, description="Last day for amendments: days after a period ends")
    finalisation_days: Days = Field(4, description="Finalisation: days after a period ends")
    pay_days: Days = Field(9, description="Pay date: days after a period ends")
    vat_rate: Rate | None = Field(
        None, description="Default 0.2000 if the contract is VAT registered, else 0"
    )


class SchedulesUpserted(BaseModel):
    upserted: int


class PeriodMove(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    last_amendment_date: date
    finalisation_date: date
    pay_date: date


def require_council(principal: Principal, *, edit: bool = False) -> None:
    """The council's payments API: its staff or systems, Edit access to change."""
    if not principal.is_council:
        raise Forbidden("only the council can use the council API")
    if edit and not principal.can_edit:
        raise Forbidden("your council access is read-only")


def council_scope(principal: Principal) -> AuthorityScope:
    return AuthorityScope(principal.authority_id)


async def upsert_schedules(
    caller: Caller, work: Work, *, items: list[object], today: date | None = None
) -> SchedulesUpserted:
    principal = caller.principal
    require_council(principal, edit=True)
    require_count(items, limit=MAX_SCHEDULES)
    today = today or date.today()
    faults: list[Fault] = []
    valid = validate_items(ScheduleIn, items, faults)
    seen: dict[uuid.UUID, int] = {}
    for index, item in valid:
        if item.contract_id in seen:
            faults.append(Fault(index, "contract_id", f"the same contract as item {seen[item.contract_id]}"))
        seen.setdefault(item.contract_id, index)
        if fault := out_of_range(item.anchor_date):
            faults.append(Fault(index, "anchor_date", fault))
        if not item.amendment_days <= item.finalisation_days <= item.pay_days:
            faults.append(
                Fault(index, "finalisation_days", "amendment_days <= finalisation_days <= pay_days, in order")
            )
        if item.vat_rate is not None and not 0 <= item.vat_rate < 1:
            faults.append(Fault(index, "vat_rate", "a rate such as 0.2000 for 20%, from 0 to below 1"))
    async with work.begin(caller.actor) as uow:
        contracts = await store.contracts_of(
            uow.conn, scope=council_scope(principal), ids=[i.contract_id for _, i in valid]
        )
        rows: list[tuple[ScheduleRow, int]] = []
        for index, item in valid:
            contract = contracts.get(item.contract_id)
            if contract is None:
                faults.append(
                    Fault(index, "contract_id", f"there is no contract {item.contract_id} in this authority")
                )
                continue
            frequency = item.frequency or contract["frequency"]
            if frequency not in DAYS:
                faults.append(
                    Fault(
                        index,
                        "frequency",
                        f"the contract's frequency {frequency!r}: send weekly or four_weekly",
                    )
                )
                continue
            vat = (
                item.vat_rate
                if item.vat_rate is not None
                else (Decimal("0.2000") if contract["vat_registered"] else Decimal("0"))
            )
            row = ScheduleRow(
                contract_id=item.contract_id,
                organisation_id=contract["organisation_id"],
                frequency=frequency,
                anchor_date=item.anchor_date,
                amendment_days=item.amendment_days,
                finalisation_days=item.finalisation_days,
                pay_days=item.pay_days,
                vat_rate=vat,
            )
            rows.append((row, DAYS[frequency]))
        refuse(faults)
        for row, days in rows:
            await store.write_schedule(
                uow.conn,
                authority_id=principal.authority_id,
                row=row,
                until=calendar_end(row.anchor_date, today),
                days=days,
            )
        await uow.audit(
            "payment_schedules_upserted",
            authority_id=principal.authority_id,
            upserted=len(rows),
            contracts=[r.contract_id for r, _ in rows][:50],
        )
        uow.log("payment_schedules_upserted", upserted=len(rows))
    return SchedulesUpserted(upserted=len(rows))


async def get_schedule(caller: Caller, work: Work, *, contract_id: uuid.UUID) -> dict[str, object]:
    require_council(caller.principal)
    async with work.read() as conn:
        found = await store.get_schedule(conn, scope=council_scope(caller.principal), contract_id=contract_id)
    if found is None:
        raise NotFound.of("payment schedule", code="schedule-not-found")
    return dict(found)


async def list_periods(
    caller: Caller, work: Work, *, contract_id: uuid.UUID, financial_year: str | None
) -> list[dict[str, object]]:
    require_council(caller.principal)
    first, last = year_bounds(financial_year) if financial_year else (date.min, date.max)
    scope = council_scope(caller.principal)
    async with work.read() as conn:
        if await store.get_schedule(conn, scope=scope, contract_id=contract_id) is None:
            raise NotFound.of("payment schedule", code="schedule-not-found")
        return [
            dict(r)
            for r in await store.list_periods(
                conn, scope=scope, contract_id=contract_id, first=first, last=last
            )
        ]


async def move_period(
    caller: Caller, work: Work, *, period_id: uuid.UUID, move: PeriodMove
) -> dict[str, object]:
    principal = caller.principal
    require_council(principal, edit=True)
    dates = PeriodDates(move.last_amendment_date, move.finalisation_date, move.pay_date)
    check_dates(dates)
    scope = council_scope(principal)
    async with work.begin(caller.actor) as uow:
        period = await store.get_period(uow.conn, scope=scope, period_id=period_id, for_update=True)
        if period is None:
            raise NotFound.of("payment period", code="period-not-found")
        if period["payment_status"] == "finalised":
            raise Conflict(
                f"the period starting {period['start_date']} has a finalised payment: its dates cannot move",
                code="period-finalised",
            )
        await store.move_period(
            uow.conn,
            period_id=period_id,
            amendment=dates.last_amendment_date,
            finalisation=dates.finalisation_date,
            pay=dates.pay_date,
        )
        await uow.audit(
            "payment_period_moved",
            authority_id=principal.authority_id,
            subject_id=period_id,
            organisation_id=period["organisation_id"],
            last_amendment_date=str(dates.last_amendment_date),
            finalisation_date=str(dates.finalisation_date),
            pay_date=str(dates.pay_date),
        )
        moved = await store.get_period(uow.conn, scope=scope, period_id=period_id)
    assert moved is not None
    return dict(moved)
