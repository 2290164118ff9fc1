"""What a report's parameters may be picked from: the caller's organisations (a provider's own only),
contracts, payment methods, payment periods, tax years, financial years, remittances and purchase
orders, from the read model.

The parameters form shows these as lists instead of boxes to type in. A list is a help, not a rule:
`reports.domain.parameters` still checks what comes back, and the run API still refuses another
tenant's organisation (404), whatever the form offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from reports.store import choices as store
from reports.store.streaming import PAYMENT_METHODS
from shared.capabilities import Capability, require_capability
from shared.scoping import Columns
from shared.store import Scope
from shared.uow import Caller, Work

ORGANISATIONS = Columns(organisation="organisation_id")
CONTRACTS = Columns(authority="c.authority_id", organisation="c.organisation_id", contract="c.contract_id")
REMITTANCES = Columns(contract="contract_id")
PAYMENTS = Columns(authority="p.authority_id", organisation="p.organisation_id", contract="p.contract_id")
WEEKS = Columns(contract="contract_id", service="service_id")


@dataclass(frozen=True)
class Choice:
    """One entry of a pick list: the parameter's value as the run API takes it, and what a person reads."""

    value: str
    label: str


@dataclass(frozen=True)
class Choices:
    organisations: list[Choice]
    contracts: list[Choice]
    payment_methods: list[Choice]
    periods: list[Choice]
    tax_years: list[Choice]
    financial_years: list[Choice]
    remittances: list[Choice]
    purchase_orders: list[Choice]


async def choices(caller: Caller, work: Work) -> Choices:
    """Every pick list of the parameters form, limited to what the caller may see."""
    principal = caller.principal
    require_capability(principal, Capability.reports)
    today = datetime.now(UTC).date()
    async with work.read() as conn:
        organisations = await store.organisations(
            conn=conn, scope=Scope.of(principal, ORGANISATIONS, organisation_rows=True)
        )
        contracts = await store.contracts(conn=conn, scope=Scope.of(principal, CONTRACTS))
        periods = await store.periods(conn=conn, scope=Scope.of(principal, REMITTANCES))
        tax_years = await store.tax_years(conn=conn, scope=Scope.of(principal, REMITTANCES))
        financial_years = await store.financial_years(conn=conn, scope=Scope.of(principal, WEEKS))
        remittances = await store.remittances(conn=conn, scope=Scope.of(principal, REMITTANCES))
        orders = await store.purchase_orders(conn=conn, scope=Scope.of(principal, PAYMENTS))
    council = principal.is_council
    return Choices(
        organisations=[
            Choice(str(o.organisation_id), o.name if o.active else f"{o.name} (closed)")
            for o in organisations
        ],
        contracts=[
            Choice(str(c.contract_id), _contract_label(c, with_organisation=council)) for c in contracts
        ],
        payment_methods=[Choice(name, name) for name in PAYMENT_METHODS],
        periods=[Choice(p.period_start.isoformat(), _period_label(p)) for p in periods],
        tax_years=_years(
            {y.start_year for y in tax_years} | {_year_of(today, april=6)}, "6 April", "5 April"
        ),
        financial_years=_years(
            {y.start_year for y in financial_years} | {_year_of(today, april=1)}, "1 April", "31 March"
        ),
        remittances=[
            Choice(str(r.remittance_id), f"{r.reference} (paid {r.pay_date:%d/%m/%Y})") for r in remittances
        ],
        purchase_orders=[Choice(str(o.purchase_order_id), o.number) for o in orders],
    )


def _contract_label(contract: store.ContractChoice, *, with_organisation: bool) -> str:
    label = f"{contract.name} ({contract.reference})"
    if with_organisation and contract.organisation_name:
        return f"{contract.organisation_name}: {label}"
    return label


def _period_label(period: store.PeriodChoice) -> str:
    ends = " or ".join(f"{end:%d/%m/%Y}" for end in period.period_ends)
    return f"{period.period_start:%d/%m/%Y} to {ends}"


def _year_of(day: date, *, april: int) -> int:
    """The year (named by the calendar year it starts in) that `day` falls in, for a year starting on
    `april` April."""
    return day.year if day >= date(day.year, 4, april) else day.year - 1


def _years(starts: set[int], first: str, last: str) -> list[Choice]:
    """The years newest first, valued as a person types them (2018/19)."""
    return [
        Choice(f"{y}/{(y + 1) % 100:02d}", f"{y}/{(y + 1) % 100:02d} ({first} {y} to {last} {y + 1})")
        for y in sorted(starts, reverse=True)
    ]
