"""A provider's scheduled payments (/api/v1/payments/scheduled-payments): pick lists, the periods of a
year, one payment, confirm, dispute, and the home page's summary."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from payments.handlers import scheduled_payments as handlers
from payments.handlers.scheduled_payments import PaymentView
from shared.events import ScheduledPaymentState
from shared.events.payments import PaymentStatus
from shared.http import CurrentCaller
from shared.money import Money
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

provider_api = APIRouter(prefix="/api/v1/payments", tags=["scheduled payments"])
Version = Annotated[int, Field(ge=1, description="the payment's version you started from")]


class ContractOption(BaseModel):
    contract_id: uuid.UUID
    name: str


class OptionsOut(BaseModel):
    financial_years: list[str] = Field(description="Years with a payment, and this one; newest first")
    contracts: list[ContractOption]
    current_year: str = Field(examples=["2019/2020"])


class PeriodOut(BaseModel):
    payment_id: uuid.UUID
    contract_id: uuid.UUID
    contract_name: str
    period_start: date
    period_end: date
    pay_date: date
    status: PaymentStatus
    total: Money
    version: int
    current: bool = Field(description="The contract's payment not yet finalised whose period starts earliest")


class RemittanceOut(BaseModel):
    remittance_id: uuid.UUID
    reference: str = Field(examples=["RA-PR-W-2026-11-23-DCC-FC-148"])


class PaymentOut(ScheduledPaymentState):
    version: int = Field(description="The version to send back with confirm or dispute (= revision)")
    payable_excl_vat: Money = Field(description="Excluding VAT, of the lines still payable (not disputed)")
    payable_vat: Money = Field(description="VAT of the lines still payable")
    payable_total: Money = Field(description="Total payable: the lines not disputed")
    can_confirm: bool = Field(description="The caller may confirm it now")
    can_dispute: bool = Field(description="The caller may dispute it (or more of its lines) now")
    current: bool = Field(description="The contract's payment not yet finalised whose period starts earliest")
    remittance: RemittanceOut | None = Field(
        description="The remittance advice issued when the payment was finalised (none before)"
    )


def payment_out(view: PaymentView) -> PaymentOut:
    return PaymentOut(
        **view.payment.model_dump(),
        version=view.payment.revision,
        payable_excl_vat=view.payable_excl_vat,
        payable_vat=view.payable_vat,
        payable_total=view.payable_total,
        can_confirm=view.can_confirm,
        can_dispute=view.can_dispute,
        current=view.current,
        remittance=None if view.remittance is None else RemittanceOut(**view.remittance.model_dump()),
    )


class NextPayment(BaseModel):
    pay_date: date
    total: Money


class SummaryOut(BaseModel):
    next_payment: NextPayment | None = Field(
        description="The next payment not yet finalised, if any; its total is what is payable of it (not its"
        " disputed or held lines)"
    )
    unconfirmed: int = Field(description="How many payments wait for the provider's confirmation")


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version
    reason: str | None = Field(None, description="Why (required; at most 1,000 characters)")
    line_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=5000, description="The lines disputed; empty: the whole payment"
    )


@provider_api.get(
    "/scheduled-payments/options", response_model=OptionsOut, summary="Pick lists: financial years, contracts"
)
async def options(caller: CurrentCaller, work: WorkDep) -> OptionsOut:
    found = await handlers.options(caller, work)
    return OptionsOut(
        financial_years=found.financial_years,
        contracts=[ContractOption(contract_id=c.contract_id, name=c.name) for c in found.contracts],
        current_year=found.current_year,
    )


@provider_api.get(
    "/scheduled-payments/summary",
    response_model=SummaryOut,
    summary="The next payment and how many to confirm",
)
async def summary(caller: CurrentCaller, work: WorkDep) -> SummaryOut:
    found = await handlers.summary(caller, work)
    upcoming = (
        NextPayment(pay_date=found.next_pay_date, total=found.next_total)
        if found.next_pay_date is not None and found.next_total is not None
        else None
    )
    return SummaryOut(next_payment=upcoming, unconfirmed=found.unconfirmed)


@provider_api.get(
    "/scheduled-payments",
    response_model=list[PeriodOut],
    responses=PAGED,
    summary="The payments of a financial year's periods, newest first",
)
async def list_periods(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    financial_year: Annotated[
        str | None, Query(description="such as 2019/2020; this year when left out")
    ] = None,
    contract_id: uuid.UUID | None = None,
) -> list[PeriodOut]:
    rows = await handlers.list_periods(caller, work, year=financial_year, contract_id=contract_id)
    # A year's periods of the caller's contracts: tens, held whole, then cut into the page asked for.
    return page.cut([PeriodOut.model_validate(r.model_dump()) for r in rows])


@provider_api.get(
    "/scheduled-payments/{payment_id}",
    response_model=PaymentOut,
    summary="A scheduled payment with its lines",
)
async def get_payment(payment_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> PaymentOut:
    return payment_out(await handlers.get_payment(caller, work, payment_id=payment_id))


@provider_api.post(
    "/scheduled-payments/{payment_id}/confirm",
    response_model=PaymentOut,
    summary="Confirm an unconfirmed payment",
)
async def confirm(payment_id: uuid.UUID, body: ConfirmIn, caller: CurrentCaller, work: WorkDep) -> PaymentOut:
    return payment_out(await handlers.confirm(caller, work, payment_id=payment_id, version=body.version))


@provider_api.post(
    "/scheduled-payments/{payment_id}/dispute",
    response_model=PaymentOut,
    summary="Dispute the whole payment or some of its lines, with a reason",
)
async def dispute(payment_id: uuid.UUID, body: DisputeIn, caller: CurrentCaller, work: WorkDep) -> PaymentOut:
    view = await handlers.dispute(
        caller, work, payment_id=payment_id, version=body.version, reason=body.reason, line_ids=body.line_ids
    )
    return payment_out(view)
