"""The council's side of scheduled payments: the authority's payments, one payment, a line's amendment
before the provider confirms, and the decision of a provider's dispute (docs/scheduled-payments.md).

An amendment changes an unconfirmed payment only (once confirmed or disputed the provider has given
its word on the amounts; once finalised it is paid): the line's new amount excluding VAT (not below
zero, except on an adjustment line), its VAT at the schedule's rate, who and why on the line, and the
payment's totals summed again.

A dispute's decision: approve (the provider is right; a reason if the council gives one) leaves its
lines disputed, out of the payment (a run finalising it holds them: still owed, paid by a later run once
the council corrects the source); reject (with a reason) makes them payable again, and the payment
unconfirmed again when no line of it is still disputed. On a payment already finalised the decision is recorded and the lines, held by the
run, are left as they are (the next run pays what is owed).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from payments.domain.disputes import DISPUTE, REQUESTS, DisputeRequest
from payments.domain.periods import vat_of
from payments.handlers.access import find_payment, require_status, require_version
from payments.handlers.payment_states import publish_state
from payments.handlers.scheduled_payments import PaymentView, view_of
from payments.store import scheduled
from payments.store.scheduled import PeriodRow
from shared.decisions import DecisionRequest, Status, rules
from shared.errors import Invalid, NotFound
from shared.events import PaymentLineState, ScheduledPaymentState
from shared.money import MONEY_LIMIT
from shared.uow import Caller, Work

STATUSES = ("unconfirmed", "confirmed", "disputed", "finalised")
AMEND_REASON_MAX = 1000


async def list_payments(
    caller: Caller,
    work: Work,
    *,
    organisation_id: uuid.UUID | None,
    status: str | None,
    period_start: date | None,
    limit: int,
    offset: int,
) -> list[PeriodRow]:
    rules.require_council(caller.principal)
    if status is not None and status not in STATUSES:
        raise Invalid.field("status", f"must be one of {', '.join(STATUSES)}")
    async with work.read() as conn:
        return await scheduled.council_page(
            conn,
            scope=scheduled.payment_scope(caller.principal),
            organisation_id=organisation_id,
            status=status,
            period_start=period_start,
            limit=limit,
            offset=offset,
        )


async def get_payment(caller: Caller, work: Work, *, payment_id: uuid.UUID) -> PaymentView:
    rules.require_council(caller.principal)
    async with work.read() as conn:
        return await view_of(conn, await find_payment(conn, caller.principal, payment_id), caller.principal)


def amend_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise Invalid.field("reason", "give the reason for the amendment", code="reason-required")
    if len(text) > AMEND_REASON_MAX:
        raise Invalid.field("reason", f"must be {AMEND_REASON_MAX} characters or fewer")
    return text


def require_fits(
    payment: ScheduledPaymentState, line: PaymentLineState, excl_vat: Decimal, vat: Decimal
) -> None:
    """The amended line's total and the payment's totals stay money (under £10bn: numeric(12,2))."""
    totals = (
        excl_vat + vat,
        payment.excl_vat - line.excl_vat + excl_vat,
        payment.vat - line.vat + vat,
        payment.total - line.total + excl_vat + vat,
    )
    if any(abs(amount) >= MONEY_LIMIT for amount in totals):
        raise Invalid.field(
            "excl_vat",
            f"too large: with VAT, the line's total and the payment's must be under £{MONEY_LIMIT:,}",
            code="amount-too-large",
        )


async def amend_line(
    caller: Caller,
    work: Work,
    *,
    payment_id: uuid.UUID,
    line_id: uuid.UUID,
    version: int,
    excl_vat: Decimal,
    reason: str | None,
) -> PaymentView:
    """The line's amount excluding VAT changed on an unconfirmed payment, with a reason."""
    principal = caller.principal
    rules.require_decider(principal)  # council staff or systems with Edit
    text = amend_reason(reason)
    async with work.begin(caller.actor) as uow:
        payment = await find_payment(uow.conn, principal, payment_id, lock=True)
        require_status(payment, ("unconfirmed",), "amended")
        require_version(payment, version)
        line = next((line for line in payment.lines if line.line_id == line_id), None)
        if line is None:
            raise NotFound.of("line on that payment", code="line-not-found")
        if excl_vat < 0 and not line.adjustment:
            # Only an adjustment (a difference from what an older period was paid) can be negative; money
            # already paid is taken back by a credit note, never by a line that pays less than nothing.
            raise Invalid.field(
                "excl_vat",
                f"must not be below £0.00 (it is {excl_vat}): to take back money already paid,"
                " issue a credit note",
                code="negative-amount",
            )
        scope = scheduled.payment_scope(principal)
        rate = await scheduled.vat_rate(uow.conn, scope=scope, contract_id=payment.contract_id)
        vat = vat_of(excl_vat, rate)
        require_fits(payment, line, excl_vat, vat)
        await scheduled.amend_line(
            uow.conn,
            scope=scope,
            payment_id=payment_id,
            line_id=line_id,
            excl_vat=excl_vat,
            vat=vat,
            amended_by=principal.subject,
            reason=text,
        )
        await uow.audit(
            "scheduled_payment_amended",
            authority_id=principal.authority_id,
            organisation_id=payment.organisation_id,
            subject_id=payment_id,
            line=line_id,
            was=str(line.excl_vat),
            now=str(excl_vat),
            reason=text,
        )
        done = await find_payment(uow.conn, principal, payment_id)
        await publish_state(uow, done, authority_id=principal.authority_id)
        uow.log("scheduled_payment_amended", payment_id=str(payment_id), line_id=str(line_id))
        return await view_of(uow.conn, done, principal)


async def pending_disputes(caller: Caller, work: Work, *, limit: int, offset: int) -> list[DecisionRequest]:
    """Disputes waiting for the council, newest first."""
    rules.require_council(caller.principal)
    async with work.read() as conn:
        return await REQUESTS.listing(
            conn, caller.principal, [DISPUTE], status=Status.pending, limit=limit, offset=offset
        )


async def decide_dispute(
    caller: Caller, work: Work, *, request_id: uuid.UUID, decision: str, reason: str | None
) -> DecisionRequest:
    principal = caller.principal
    rules.require_decider(principal)
    async with work.begin(caller.actor) as uow:
        request = await REQUESTS.pending(uow, principal, [DISPUTE], request_id=request_id)
        asked = request.details(DisputeRequest)
        payment = await find_payment(uow.conn, principal, asked.payment_id, lock=True)
        scope = scheduled.payment_scope(principal)
        if decision == "approve":
            decided = await REQUESTS.approve(
                uow, principal, request, reason=reason, payment=str(payment.payment_id)
            )
        else:
            decided = await REQUESTS.reject(
                uow, principal, request, reason=reason, payment=str(payment.payment_id)
            )
            if payment.status != "finalised":
                still = await scheduled.release_lines(
                    uow.conn, scope=scope, payment_id=payment.payment_id, request_id=request_id
                )
                status = "disputed" if still else "unconfirmed"
                await scheduled.set_status(
                    uow.conn, scope=scope, payment_id=payment.payment_id, status=status
                )
                released = await find_payment(uow.conn, principal, payment.payment_id)
                await publish_state(uow, released, authority_id=principal.authority_id)
        uow.log("payment_dispute_decided", request=str(request_id), decision=decision)
    return decided
