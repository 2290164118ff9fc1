"""Events published by the payments service (DOMAIN.md "Payments"; docs/payments.md): what a council's
finance system needs to post every step of a payment without calling back, and what actuals needs to lock
the weeks a run paid.

Every event carries full state: the supplier (the provider organisation and its reference), the contract,
the period, the pay date, the amounts excluding and including VAT, and the lines with their client,
purchase order and cost code where known. Amounts are `Decimal` pounds to the penny (strings in JSON).
The envelope's `event_id` is the key a finance system deduplicates on (docs/finance-integration.md).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.envelope import EventPayload

PaymentStatus = Literal["unconfirmed", "confirmed", "disputed", "finalised"]
LineStatus = Literal["payable", "disputed", "held"]
LineSource = Literal["planned", "actuals", "claim"]


class PaidWeek(BaseModel):
    """A confirmed week of actuals that a payment run paid."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    week_id: uuid.UUID = Field(description="The week's id, as in actuals.week.confirmed")
    service_id: uuid.UUID = Field(description="The service")
    week_commencing: date = Field(description="The Monday the week starts on")


class PaymentLineState(BaseModel):
    """One line of a scheduled payment: what is paid for one client (purchase order) and service period."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    line_id: uuid.UUID = Field(description="The line's id")
    source: LineSource = Field(
        description="planned: a CPLI's commissioned cost (pay on planned); actuals: a confirmed week's"
        " line (pay on actuals); claim: an accepted one-off claim item"
    )
    client_id: uuid.UUID | None = Field(None, description="The client; null for a provider's own claim item")
    client_reference: str | None = Field(None, description="The client's SSRef", examples=["C2000020"])
    client_name: str | None = Field(None, description="The client's name", examples=["Simpson, Bart"])
    purchase_order_id: uuid.UUID = Field(description="The purchase order the line is paid on")
    purchase_order_number: str = Field(description="Its number", examples=["PO-2019-148-1"])
    cost_code: str | None = Field(None, description="The council's cost code, where known")
    service_start: date = Field(description="First day of the service period the line pays for")
    service_end: date = Field(description="Last day of that service period")
    adjustment: bool = Field(
        description="True when the line pays (or takes back) an earlier period: a late-confirmed week,"
        " a back-dated rate change"
    )
    excl_vat: Decimal = Field(description="Amount excluding VAT, to the penny", examples=["353.08"])
    vat: Decimal = Field(description="VAT, to the penny", examples=["0.00"])
    total: Decimal = Field(description="excl_vat + vat", examples=["353.08"])
    status: LineStatus = Field(
        description="payable; disputed by the provider (not paid while the dispute stands); held (a"
        " disputed line left out of a finalised run, owed again in the next)"
    )
    dispute_reason: str | None = Field(None, description="The provider's reason, on a disputed line")


class ScheduledPaymentState(BaseModel):
    """A scheduled payment: one contract's payment for one period, with every line."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    payment_id: uuid.UUID = Field(description="The scheduled payment's id")
    organisation_id: uuid.UUID = Field(description="The provider organisation (the supplier)")
    supplier_reference: str = Field(
        description="The authority's reference for the provider", examples=["741254"]
    )
    supplier_name: str = Field(description="The provider's name", examples=["Sausage Sandwich Fostering"])
    contract_id: uuid.UUID = Field(description="The contract")
    contract_reference: str = Field(description="The contract's reference", examples=["C-FOST-0148"])
    contract_name: str = Field(description="The contract's name", examples=["Sausage Sandwich"])
    period_start: date = Field(description="First day of the payment period")
    period_end: date = Field(description="Last day of the payment period")
    pay_date: date = Field(description="The day the money is paid")
    payment_run_id: uuid.UUID = Field(description="The payment run that computed it")
    status: PaymentStatus = Field(description="unconfirmed -> confirmed | disputed -> finalised")
    excl_vat: Decimal = Field(description="Sum of the lines excluding VAT", examples=["656.11"])
    vat: Decimal = Field(description="Sum of the lines' VAT", examples=["0.00"])
    total: Decimal = Field(description="Sum of the lines' totals (the total payable when finalised)")
    lines: list[PaymentLineState] = Field(description="Every line, by client then service period")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")


class ScheduledPaymentConfirmed(ScheduledPaymentState, EventPayload):
    """A provider confirmed a scheduled payment: every line as it stands."""

    producer = "payments"
    aggregate = "scheduled_payment"
    event = "confirmed"
    version = 1

    authority_id: uuid.UUID = Field(description="The authority that pays")
    confirmed_by: str = Field(description="Subject of the user who confirmed")
    confirmed_at: datetime = Field(description="When, UTC")


class ScheduledPaymentUpserted(ScheduledPaymentState, EventPayload):
    """A scheduled payment's full state after any change: computed by a run, amended by the council,
    confirmed or disputed by the provider, a dispute decided, finalised. Reports keeps it (the Pending
    Scheduled Payments report shows the unconfirmed ones); consumers keep the highest `revision`. Also
    re-published on a backfill request (`payments.backfill.requested.v1`)."""

    producer = "payments"
    aggregate = "scheduled_payment"
    event = "upserted"
    version = 1

    authority_id: uuid.UUID = Field(description="The authority that pays")


class ScheduledPaymentDisputed(ScheduledPaymentState, EventPayload):
    """A provider disputed a scheduled payment, whole or some of its lines, with a reason. The disputed
    lines are not paid while the dispute stands; the others still pay. The messaging service turns it
    into an action for the council's payments team."""

    producer = "payments"
    aggregate = "scheduled_payment"
    event = "disputed"
    version = 1

    authority_id: uuid.UUID = Field(description="The authority that pays")
    disputed_line_ids: list[uuid.UUID] = Field(description="The lines this dispute is about")
    whole_payment: bool = Field(description="The provider disputed the whole payment")
    reason: str = Field(description="The provider's reason", examples=["Bart left on 3 October"])
    request_id: uuid.UUID = Field(description="The dispute's request (shared.decisions) the council decides")
    disputed_by: str = Field(description="Subject of the user who disputed")
    disputed_at: datetime = Field(description="When, UTC")


class RunPaymentSummary(BaseModel):
    """One finalised payment of a run, in brief (the remittance carries its lines)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    payment_id: uuid.UUID = Field(description="The scheduled payment")
    organisation_id: uuid.UUID = Field(description="The provider organisation")
    supplier_reference: str = Field(description="The authority's reference for the provider")
    contract_id: uuid.UUID = Field(description="The contract")
    contract_reference: str = Field(description="The contract's reference")
    period_start: date = Field(description="First day of the payment period")
    period_end: date = Field(description="Last day of the payment period")
    pay_date: date = Field(description="The day the money is paid")
    excl_vat: Decimal = Field(description="Paid excluding VAT (held lines left out)")
    vat: Decimal = Field(description="VAT paid")
    total: Decimal = Field(description="Total paid")


class PaymentRunFinalised(EventPayload):
    """A payment run was finalised: its payments are fixed, and the weeks of actuals it paid are
    locked for good."""

    producer = "payments"
    aggregate = "payment_run"
    event = "finalised"
    version = 1

    payment_run_id: uuid.UUID = Field(description="The payment run")
    authority_id: uuid.UUID = Field(description="The authority")
    reference: str = Field(description="The run's reference", examples=["PR-2026-11-4"])
    weeks: list[PaidWeek] = Field(description="Every week of actuals the run paid")
    finalised_by: str = Field(description="Subject of the council user or system that finalised it")
    finalised_at: datetime = Field(description="When, UTC")
    # Added with the payments service (additive: optional in v1).
    frequency: Literal["weekly", "four_weekly"] | None = Field(
        None, description="The schedules the run covered"
    )
    period_start: date | None = Field(None, description="First day of the period the run paid")
    period_end: date | None = Field(None, description="Last day of the period the run paid")
    payments: list[RunPaymentSummary] = Field(
        default_factory=list, description="Every payment the run finalised, in brief"
    )
    excl_vat: Decimal | None = Field(None, description="Sum paid excluding VAT, every payment")
    vat: Decimal | None = Field(None, description="Sum of VAT paid")
    total: Decimal | None = Field(None, description="Sum paid")


class RemittanceLine(BaseModel):
    """One line of a remittance advice: a client's amount for a service period, paid in this run."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    line_id: uuid.UUID = Field(description="The payment line paid")
    source: LineSource = Field(description="What the line pays (see PaymentLineState)")
    client_id: uuid.UUID | None = Field(None, description="The client; null for a provider's own claim item")
    client_reference: str | None = Field(None, description="The client's SSRef")
    client_name: str | None = Field(None, description="The client's name")
    purchase_order_number: str = Field(description="The purchase order")
    cost_code: str | None = Field(None, description="The council's cost code, where known")
    service_start: date = Field(description="First day of the service period paid")
    service_end: date = Field(description="Last day of the service period paid")
    adjustment: bool = Field(description="Pays an earlier period than the run's")
    invoice_number: str | None = Field(
        None, description="The provider's invoice for it, when one was submitted"
    )
    excl_vat: Decimal = Field(description="Excluding VAT")
    vat: Decimal = Field(description="VAT")
    total: Decimal = Field(description="Total")


class RemittanceIssued(EventPayload):
    """A remittance advice was issued to a provider: what one finalised run paid on one contract, line by
    line. Reports renders its PDF from this event."""

    producer = "payments"
    aggregate = "remittance"
    event = "issued"
    version = 1

    remittance_id: uuid.UUID = Field(description="The remittance's id")
    authority_id: uuid.UUID = Field(description="The authority that pays")
    organisation_id: uuid.UUID = Field(description="The provider organisation (the supplier)")
    supplier_reference: str = Field(description="The authority's reference for the provider")
    supplier_name: str = Field(description="The provider's name")
    reference: str = Field(description="The remittance's reference", examples=["RA-2019-40-741254"])
    payment_run_id: uuid.UUID = Field(description="The payment run")
    payment_run_reference: str = Field(description="The run's reference")
    payment_id: uuid.UUID = Field(description="The scheduled payment it pays")
    contract_id: uuid.UUID = Field(description="The contract")
    contract_reference: str = Field(description="The contract's reference")
    contract_name: str = Field(description="The contract's name")
    period_start: date = Field(description="First day of the payment period")
    period_end: date = Field(description="Last day of the payment period")
    pay_date: date = Field(description="The day the money is paid")
    excl_vat: Decimal = Field(description="Sum excluding VAT")
    vat: Decimal = Field(description="Sum of VAT")
    total: Decimal = Field(description="Sum paid")
    lines: list[RemittanceLine] = Field(description="Every line paid, by client then service period")
    issued_at: datetime = Field(description="When, UTC")


class InvoiceLine(BaseModel):
    """One line of an invoice or credit note: a client's confirmed week (amounts from actuals)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    week_id: uuid.UUID | None = Field(None, description="The confirmed week of actuals it invoices")
    service_id: uuid.UUID | None = Field(None, description="The service")
    week_commencing: date | None = Field(None, description="The week")
    service_start: date | None = Field(
        None, description="The first day it is for: its week's, or the period a run's credit note takes back"
    )
    service_end: date | None = Field(None, description="The last day it is for")
    client_id: uuid.UUID | None = Field(None, description="The client")
    client_reference: str | None = Field(None, description="The client's SSRef")
    client_name: str | None = Field(None, description="The client's name")
    purchase_order_number: str | None = Field(None, description="The purchase order, where one is issued")
    cost_code: str | None = Field(None, description="The council's cost code, where known")
    excl_vat: Decimal = Field(description="Excluding VAT (negative on a credit note)")
    vat: Decimal = Field(description="VAT (negative on a credit note)")
    total: Decimal = Field(description="Total (negative on a credit note)")


class InvoiceFields(BaseModel):
    """An invoice or credit note as it stands."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    invoice_id: uuid.UUID = Field(description="The document's id")
    kind: Literal["invoice", "credit_note"] = Field(description="An invoice, or a credit note retracting one")
    number: str = Field(description="Its number", examples=["INV-000123"])
    organisation_id: uuid.UUID = Field(description="The provider organisation (the supplier)")
    supplier_reference: str = Field(description="The authority's reference for the provider")
    contract_id: uuid.UUID = Field(description="The contract")
    contract_reference: str = Field(description="The contract's reference")
    provider_reference: str | None = Field(None, description="The provider's own reference for it")
    issue_date: date = Field(description="The document's date")
    excl_vat: Decimal = Field(description="Sum excluding VAT")
    vat: Decimal = Field(description="Sum of VAT")
    total: Decimal = Field(description="Sum")
    lines: list[InvoiceLine] = Field(description="Every line")


class InvoiceSubmitted(InvoiceFields, EventPayload):
    """A provider submitted an actuals-payable invoice, made from confirmed weeks of actuals."""

    producer = "payments"
    aggregate = "invoice"
    event = "submitted"
    version = 1

    authority_id: uuid.UUID = Field(description="The authority invoiced")
    submitted_by: str = Field(description="Subject of the user who submitted it")
    submitted_at: datetime = Field(description="When, UTC")


class CreditNoteIssued(InvoiceFields, EventPayload):
    """A credit note was issued: the retraction of an invoice, or money a payment run took back (a
    finalised payment is never edited). Amounts are negative."""

    producer = "payments"
    aggregate = "credit_note"
    event = "issued"
    version = 1

    authority_id: uuid.UUID = Field(description="The authority")
    credits_invoice_id: uuid.UUID | None = Field(None, description="The invoice it retracts, if any")
    credits_payment_id: uuid.UUID | None = Field(
        None, description="The payment whose run took it back, if any"
    )
    reason: str = Field(description="Why", examples=["Invoice raised against the wrong week"])
    issued_by: str = Field(description="Subject of the user or system that issued it")
    issued_at: datetime = Field(description="When, UTC")


class DisputeRequestUpserted(EventPayload):
    """The request-and-decide record of a provider's dispute of a scheduled payment (shared.decisions)
    was made or decided; small full state. The payment itself travels as
    `payments.scheduled_payment.disputed`."""

    producer = "payments"
    aggregate = "dispute_request"
    event = "upserted"
    version = 1

    request_id: uuid.UUID = Field(description="The request's id")
    payment_id: uuid.UUID = Field(description="The scheduled payment disputed")
    line_ids: list[uuid.UUID] = Field(description="The lines disputed")
    authority_id: uuid.UUID = Field(description="The authority that decides")
    organisation_id: uuid.UUID = Field(description="The provider organisation that disputed")
    requested_by: str = Field(description="Subject of the user who disputed")
    status: Literal["pending", "approved", "rejected", "withdrawn"] = Field(
        description="Where the request is (approved: the provider is right, the lines stay unpaid)"
    )
    reason: str | None = Field(
        None, description="The council's reason: always on a rejection, on an approval if it gave one"
    )
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")
