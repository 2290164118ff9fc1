"""Remittance advice: what one finalised run paid on one contract ("by finalisation"), the lines paid in
one payment period ("by period": an adjustment for an older service period shows under the period whose
run paid it), the lines as CSV, and the council's list (docs/purchase-orders.md)."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from payments.domain.csv_cells import neutralise
from payments.handlers.document_access import require_council, require_provider, year_asked
from payments.store import remittances
from payments.store.remittances import REMITTANCE_ROWS, RemittanceLine, RemittanceRow
from shared.auth import Principal
from shared.capabilities import Capability
from shared.errors import NotFound
from shared.money import total
from shared.store import Scope
from shared.uow import Caller, Work

# Remittances are what scheduled payments paid: the role that sees scheduled payments reads them.
CAPABILITY = Capability.scheduled_payments


def remittance_scope(principal: Principal) -> Scope:
    return Scope.of(principal, REMITTANCE_ROWS)


@dataclass(frozen=True)
class Remittance:
    header: RemittanceRow
    lines: list[RemittanceLine]


@dataclass(frozen=True)
class PeriodRemittance:
    contract_id: uuid.UUID
    contract_reference: str
    contract_name: str
    period_start: date
    period_end: date
    remittances: list[RemittanceRow]
    lines: list[RemittanceLine]

    @property
    def total(self) -> Decimal:
        return total(line.total for line in self.lines)


async def list_remittances(
    caller: Caller,
    work: Work,
    *,
    contract_id: uuid.UUID | None,
    financial_year: str | None,
    limit: int,
    offset: int,
) -> list[RemittanceRow]:
    """The provider's remittances paid in a financial year (the current one unless asked), newest first."""
    require_provider(caller.principal, CAPABILITY)
    _, bounds = year_asked(financial_year)
    async with work.read() as conn:
        return await remittances.list_page(
            conn,
            scope=remittance_scope(caller.principal),
            contract_id=contract_id,
            organisation_id=None,
            paid_between=bounds,
            limit=limit,
            offset=offset,
        )


async def get_remittance(caller: Caller, work: Work, *, remittance_id: uuid.UUID) -> Remittance:
    require_provider(caller.principal, CAPABILITY)
    async with work.read() as conn:
        header = await remittances.get(
            conn, scope=remittance_scope(caller.principal), remittance_id=remittance_id
        )
        if header is None:
            raise NotFound.of("remittance")
        return Remittance(header, await remittances.lines_of(conn, remittance_id=remittance_id))


async def by_period(
    caller: Caller, work: Work, *, contract_id: uuid.UUID, period_start: date
) -> PeriodRemittance:
    """Every line paid in the contract's payment period starting `period_start`, whatever service period
    it pays; 404 when the caller has no remittance for it (another tenant's contract included)."""
    require_provider(caller.principal, CAPABILITY)
    async with work.read() as conn:
        found = await remittances.of_period(
            conn, scope=remittance_scope(caller.principal), contract_id=contract_id, period_start=period_start
        )
        if not found:
            raise NotFound("There is no remittance of that contract for that period that you can see.")
        lines = await remittances.lines_of_many(conn, remittance_ids=[r.remittance_id for r in found])
    first = found[0]
    return PeriodRemittance(
        contract_id=first.contract_id,
        contract_reference=first.contract_reference,
        contract_name=first.contract_name,
        period_start=first.period_start,
        period_end=max(r.period_end for r in found),
        remittances=found,
        lines=lines,
    )


CSV_HEADER = [
    "Contract",
    "Remittance",
    "Pay Date",
    "Client Ref",
    "Client Name",
    "Purchase Order",
    "Service From",
    "Service To",
    "Adjustment",
    "Excl VAT",
    "VAT",
    "Total",
]


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def lines_csv(remittance: Remittance) -> bytes:
    """One row per line: UTF-8 with a BOM (Excel reads names right), formula-like text cells quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    contract = f"{remittance.header.contract_reference} {remittance.header.contract_name}"
    for line in remittance.lines:
        writer.writerow(
            [
                neutralise(contract),
                neutralise(line.remittance_reference),
                _day(line.pay_date),
                neutralise(line.client_reference),
                neutralise(line.client_name),
                neutralise(line.purchase_order_number),
                _day(line.service_start),
                _day(line.service_end),
                "Yes" if line.adjustment else "No",
                str(line.excl_vat),
                str(line.vat),
                str(line.total),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


async def remittance_csv(caller: Caller, work: Work, *, remittance_id: uuid.UUID) -> tuple[str, bytes]:
    """(file name, CSV) of a remittance's lines."""
    remittance = await get_remittance(caller, work, remittance_id=remittance_id)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in remittance.header.reference)
    return f"remittance-{safe}.csv", lines_csv(remittance)


async def council_remittances(
    caller: Caller, work: Work, *, organisation_id: uuid.UUID | None, limit: int, offset: int
) -> list[RemittanceRow]:
    """The authority's remittances, of one organisation if asked, newest first."""
    require_council(caller.principal)
    async with work.read() as conn:
        return await remittances.list_page(
            conn,
            scope=remittance_scope(caller.principal),
            contract_id=None,
            organisation_id=organisation_id,
            paid_between=None,
            limit=limit,
            offset=offset,
        )
