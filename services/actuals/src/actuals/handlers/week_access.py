"""What every write to a week of actuals starts with, and the costs of its lines: the caller may write,
the service and the week lie in the caller's scope, the week is locked, open and at the version the
caller started from (the week write protocol, docs/actuals.md "A week of actuals"); `Pricing` costs a
line with its contract's policy and its service level's rates."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from actuals.domain.costs import CostPolicy, LineCost, PaymentBasis, Quantities, RateChange, line_cost
from actuals.store import cplis, lines, weeks
from actuals.store.cplis import SERVICE_COLUMNS, Service
from actuals.store.lines import Line
from actuals.store.weeks import WEEK_COLUMNS, Week
from shared.auth import Principal
from shared.capabilities import Capability, can, require_capability
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.store import Scope
from shared.uow import UnitOfWork

UK = ZoneInfo("Europe/London")


def today() -> date:
    """The date in the UK, where the councils' weeks run."""
    return datetime.now(UK).date()


# --- the caller, the service, the week -------------------------------------------------------------


def require_writer(principal: Principal) -> None:
    require_capability(principal, Capability.actuals, edit=True)
    if principal.is_council:
        raise Forbidden("council staff do not record a provider's actuals (the council unlocks weeks)")


def may_write(principal: Principal) -> bool:
    return can(principal, Capability.actuals) and principal.can_edit and not principal.is_council


async def find_service(conn: asyncpg.Connection, principal: Principal, service_id: uuid.UUID) -> Service:
    found = await cplis.get_service(conn, scope=Scope.of(principal, SERVICE_COLUMNS), service_id=service_id)
    if found is None:
        raise NotFound.of("service")
    return found


def week_scope(principal: Principal) -> Scope:
    return Scope.of(principal, WEEK_COLUMNS)


def require_open(week: Week) -> None:
    if week.state != "open":
        until = (
            " until the council unlocks it"
            if week.state == "confirmed"
            else " (it is in a finalised payment)"
        )
        raise Conflict(
            f"the week commencing {week.week_commencing:%d/%m/%Y} is {week.state}: it cannot be changed{until}",
            code=f"week-{week.state}",
        )


def require_version(week_version: int, given: int) -> None:
    if week_version != given:
        raise Conflict(
            f"someone else changed this week since you opened it (you started from version {given}, it is"
            f" now version {week_version}): reload the week and make your change again",
            code="stale-version",
        )


async def find_line(
    conn: asyncpg.Connection,
    principal: Principal,
    *,
    service_id: uuid.UUID,
    week: date,
    line_id: uuid.UUID,
    lock: bool = True,
) -> tuple[Service, Week, Line]:
    """The service, its week (locked for this transaction unless only read), and the line: 404 unless
    all lie in the caller's scope."""
    service = await find_service(conn, principal, service_id)
    read = weeks.lock_week if lock else weeks.get_week
    found = await read(conn, scope=week_scope(principal), service_id=service.service_id, week=week)
    line = None
    if found is not None:
        line = await lines.get_line(
            conn, week_id=found.week_id, line_id=line_id, locked=found.state == "locked"
        )
    if found is None or line is None:
        raise NotFound.of("line")
    return service, found, line


async def line_to_change(
    conn: asyncpg.Connection,
    principal: Principal,
    *,
    service_id: uuid.UUID,
    week: date,
    line_id: uuid.UUID,
    version: int,
) -> tuple[Service, Week, Line]:
    """`find_line` for a write: the week locked, open, and at the version the caller started from."""
    service, found, line = await find_line(conn, principal, service_id=service_id, week=week, line_id=line_id)
    require_open(found)
    require_version(found.version, version)
    return service, found, line


# --- costs ---------------------------------------------------------------------------------------


class Pricing:
    """The service levels' policies and rate histories for one service's week: a line's cost is
    `actuals.domain.costs.line_cost` with the contract's policy (extras paid only where the contract and
    the service level both pay them)."""

    def __init__(self, service: Service, rows: Sequence[weeks.Rate]) -> None:
        self.service = service
        self.names: dict[uuid.UUID, str] = {}
        self.extras: dict[uuid.UUID, bool] = {}
        self.history: dict[uuid.UUID, list[RateChange]] = defaultdict(list)
        for row in rows:
            self.names[row.service_level_id] = row.name
            self.extras[row.service_level_id] = row.extras_payable
            if row.effective_from is not None and row.rate is not None:
                self.history[row.service_level_id].append(RateChange(row.effective_from, row.rate))

    @classmethod
    async def load(
        cls, conn: asyncpg.Connection, service: Service, service_level_ids: set[uuid.UUID]
    ) -> Pricing:
        return cls(service, await weeks.rates_of(conn, service_level_ids=sorted(service_level_ids)))

    def policy(self, service_level_id: uuid.UUID) -> CostPolicy:
        return CostPolicy(
            basis=PaymentBasis(self.service.payment_basis),
            pays_frustrated=self.service.pays_frustrated,
            pays_extras=self.service.pays_extras and self.extras.get(service_level_id, True),
        )

    def cost(self, quantities: Quantities, service_level_id: uuid.UUID, week: date) -> LineCost:
        try:
            return line_cost(quantities, self.policy(service_level_id), self.history[service_level_id], week)
        except Invalid as missing:  # the council has not priced the service level for the week
            name = self.names.get(service_level_id, str(service_level_id))
            reason = missing.fields[0].message if missing.fields else missing.detail
            raise Conflict(f"{reason} ({name}): ask the council to add its rate", code="no-rate") from missing


async def write_line(
    uow: UnitOfWork,
    principal: Principal,
    *,
    service: Service,
    week: Week,
    line_id: uuid.UUID,
    line: Line,
    quantities: Quantities,
    visits: int | None,
    comment: str,
    action: str,
    details: dict[str, Any] | None = None,
) -> tuple[int, Line]:
    """The line's new figures costed and written, the week's version bumped and the change audited, in
    the caller's unit of work: (the week's new version, the line as saved)."""
    conn = uow.conn
    cost = (await Pricing.load(conn, service, {line.service_level_id})).cost(
        quantities, line.service_level_id, week.week_commencing
    )
    await lines.update_line(
        conn,
        line_id=line_id,
        by=principal.subject,
        actual=quantities.actual,
        frustrated=quantities.frustrated,
        missed=quantities.missed,
        extra=quantities.extra,
        visits=visits,
        comment=comment,
        unit_rate=cost.unit_rate,
        averaged=cost.averaged,
        total=cost.total,
        planned_total=cost.planned_total,
    )
    version = await weeks.bump(conn, week_id=week.week_id)
    await uow.audit(
        action,
        authority_id=week.authority_id,
        organisation_id=week.organisation_id,
        subject_id=line_id,
        week_id=week.week_id,
        version=version,
        **(details or {}),
    )
    saved = await lines.get_line(conn, week_id=week.week_id, line_id=line_id, locked=False)
    assert saved is not None
    return version, saved
