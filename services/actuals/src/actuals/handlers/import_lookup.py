"""A bulk import row checked against the database, within the uploader's scope (docs/actuals.md "Bulk
import"): its service (by reference or name), the client's one authorised CPLI that week, the plan's
planned units and the cost by the contract's policy and the rate history. Each service's CPLIs and each
service level's rates are read once, when a row first names them; the rules are worked out once per
distinct plan or figures, as a file of 100,000 rows repeats them."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import asyncpg

from actuals.domain.costs import CostPolicy, PaymentBasis, Quantities, RateChange, line_cost
from actuals.domain.generate import PlannedCpli, PlannedVisit, planned_in_week
from actuals.domain.import_file import Fault, ImportRow
from actuals.domain.weeks import Period, active_in_week
from actuals.store import import_stage
from actuals.store import imports as store
from shared.auth import Principal
from shared.errors import Invalid
from shared.store import AuthorityScope


class Lookup:
    """A row's service, client CPLI and cost, found within the uploader's scope: each service's CPLIs
    and each service level's rates read once, when a row first names them."""

    def __init__(self, conn: asyncpg.Connection, principal: Principal) -> None:
        self.conn = conn
        self.scope = store.provider_scope(principal)
        self.levels = AuthorityScope(principal.authority_id, column="l.authority_id")
        self.services = Services([])
        self.cplis: dict[uuid.UUID, dict[str, list[tuple[import_stage.CpliRow, Period]]]] = {}
        self.costs = Costs({})
        self.plans = Plans()
        self.contract_of: dict[uuid.UUID, uuid.UUID] = {}
        self.name_of: dict[uuid.UUID, str] = {}

    async def load_services(self) -> None:
        found = await import_stage.services_in_scope(self.conn, scope=self.scope)
        self.services = Services(found)
        self.contract_of = {s.service_id: s.contract_id for s in found}
        self.name_of = {s.service_id: s.name for s in found}

    async def check(self, row: ImportRow, faults: list[Fault]) -> import_stage.StagedLine | None:
        service = self.services.find(row.service)
        if service is None:
            faults.append(
                Fault(
                    row.row,
                    "service",
                    f"{row.service[:60]!r} is not one of your services (its reference or name)",
                )
            )
            return None
        clients = self.cplis.get(service.service_id)
        if clients is None:
            clients = self.cplis[service.service_id] = {}
            for found in await import_stage.cplis_of(
                self.conn, scope=self.scope, service_ids=[service.service_id]
            ):
                clients.setdefault(found.client_reference, []).append(
                    (found, Period(found.start_date, found.end_date))
                )
                self.plans.add(found)
            levels = {c.service_level_id for listed in clients.values() for c, _ in listed} - set(
                self.costs.rates
            )
            if levels:
                self.costs.rates.update(
                    await import_stage.rates_of(self.conn, scope=self.levels, service_level_ids=levels)
                )
        cpli = _cpli_of(row, service, clients.get(row.client_reference), faults)
        if cpli is None:
            return None
        planned = self.plans.planned(cpli, row.week)
        if row.quantities.planned != planned:  # the plan's, as on the page: else a variance needs no comment
            faults.append(
                Fault(
                    row.row,
                    "planned",
                    f"is {row.quantities.planned} but the care package plans {planned} in the week commencing"
                    f" {row.week:%d/%m/%Y}: planned units are the plan's and cannot be changed",
                )
            )
            return None
        try:
            figures = self.costs.number_of(row.quantities, service, cpli.service_level_id, row.week)
        except Invalid as refused:
            message = refused.fields[0].message if refused.fields else refused.detail
            faults.append(Fault(row.row, "week_commencing", f"{message}: ask the council"))
            return None
        return (
            row.row,
            service.service_id,
            row.week,
            cpli.cpli_id,
            cpli.client_id,
            figures,
            row.visits,
            row.comment,
        )


def _cpli_of(
    row: ImportRow,
    service: import_stage.ServiceRow,
    candidates: list[tuple[import_stage.CpliRow, Period]] | None,
    faults: list[Fault],
) -> import_stage.CpliRow | None:
    """The client's one authorised CPLI on the service in the row's week. A client of another provider,
    or outside the user's scope, gets the same message as one that does not exist."""
    if not candidates:
        faults.append(
            Fault(
                row.row,
                "client_reference",
                f"{row.client_reference[:60]!r} is not a client with a care package line on {service.name}",
            )
        )
        return None
    if len(candidates) == 1:  # the common case, without a comprehension's call per row (about 1 µs)
        only, period = candidates[0]
        in_week = [only] if only.authorised and active_in_week(period, row.week) else []
    else:
        in_week = [c for c, period in candidates if c.authorised and active_in_week(period, row.week)]
    if not in_week:
        faults.append(
            Fault(
                row.row,
                "week_commencing",
                f"client {row.client_reference[:60]!r} has no authorised care package line on {service.name}"
                f" in the week commencing {row.week:%d/%m/%Y}",
            )
        )
        return None
    if len(in_week) > 1:
        faults.append(
            Fault(
                row.row,
                "client_reference",
                f"client {row.client_reference[:60]!r} has {len(in_week)} care package lines on {service.name}"
                " that week: enter them on the Actuals page",
            )
        )
        return None
    return in_week[0]


class Services:
    """The uploader's services, found by reference (exact) or else by name (any case): a name shared by
    two of their services is refused as not naming one."""

    def __init__(self, services: list[import_stage.ServiceRow]) -> None:
        self.by_reference: dict[str, list[import_stage.ServiceRow]] = {}
        self.by_name: dict[str, list[import_stage.ServiceRow]] = {}
        for s in services:
            self.by_reference.setdefault(s.reference, []).append(s)
            self.by_name.setdefault(s.name.casefold(), []).append(s)
        self.found: dict[str, import_stage.ServiceRow | None] = {}

    def find(self, text: str) -> import_stage.ServiceRow | None:
        if text not in self.found:
            matches = self.by_reference.get(text) or self.by_name.get(text.casefold()) or []
            self.found[text] = matches[0] if len(matches) == 1 else None
        return self.found[text]


class Plans:
    """A CPLI's planned units in a week (Generate Actuals' rule), worked out once per distinct plan and
    week: a file's CPLIs share a few plans. Each CPLI's plan is numbered once, when its service is read,
    by the identity of its row (the rows live as long as the import; a UUID's hash is Python code), so a
    row costs two small lookups."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[object, ...], int] = {}
        self.plan_of: dict[int, int] = {}
        self.known: dict[tuple[int, date], Decimal] = {}

    def add(self, cpli: import_stage.CpliRow) -> None:
        key = (cpli.start_date, cpli.end_date, cpli.units_per_week, cpli.timetable)
        self.plan_of[id(cpli)] = self.numbers.setdefault(key, len(self.numbers))

    def planned(self, cpli: import_stage.CpliRow, week: date) -> Decimal:
        key = (self.plan_of[id(cpli)], week)
        found = self.known.get(key)
        if found is None:
            plan = PlannedCpli(
                cpli.cpli_id,
                cpli.client_id,
                Period(cpli.start_date, cpli.end_date),
                cpli.authorised,
                units_per_week=cpli.units_per_week,
                timetable=tuple(
                    PlannedVisit(int(day), int(minutes))
                    for day, _, minutes in (
                        visit.partition(":") for visit in cpli.timetable.split(",") if visit
                    )
                ),
            )
            found = self.known[key] = planned_in_week(plan, week)[0]
        return found


class Costs:
    """`line_cost` with the contract's policy and the service level's rate history, each distinct
    (quantities, service, level, week) computed once and numbered: a file repeats the same figures many
    times, so a row carries the number of its figures (`import_stage.Figures`) and the costs are computed, and
    copied to the database, once per distinct figures."""

    def __init__(self, rates: dict[uuid.UUID, tuple[bool, tuple[RateChange, ...]]]) -> None:
        self.rates = rates
        # By the identity of the Quantities: the file reader hands out one object per distinct cells.
        self.numbers: dict[tuple[int, uuid.UUID, uuid.UUID, date], int] = {}
        self.figures: list[import_stage.Figures] = []
        self.kept: list[Quantities] = []  # so that an id above is never reused while this lives

    def number_of(
        self, quantities: Quantities, service: import_stage.ServiceRow, level: uuid.UUID, week: date
    ) -> int:
        key = (id(quantities), service.service_id, level, week)
        number = self.numbers.get(key)
        if number is None:
            extras_payable, history = self.rates.get(level, (True, ()))
            policy = CostPolicy(
                basis=PaymentBasis(service.payment_basis),
                pays_frustrated=service.pays_frustrated,
                pays_extras=service.pays_extras and extras_payable,
            )
            cost = line_cost(quantities, policy, history, week)
            q = quantities
            number = self.numbers[key] = len(self.figures)
            self.kept.append(q)
            self.figures.append(
                (number, q.actual, q.planned, q.frustrated, q.missed, q.extra, cost.unit_rate, cost.averaged,
                 cost.total, cost.planned_total)
            )  # fmt: skip
        return number
