"""A provider's scheduled payments: the pick lists, the periods of a year, one payment, confirm,
dispute (whole or some lines), and the home page's summary (docs/scheduled-payments.md).

A dispute is a request of the kind "payment_dispute" (payments.domain.disputes) the council decides;
its lines are not paid while it stands, the others still are. Confirm and dispute publish the payment's
full state (`payments.scheduled_payment.confirmed.v1` / `.disputed.v1`) in the same unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg

from payments.domain.disputes import DISPUTE, REQUESTS, DisputeRequest, dispute_reason, lines_to_dispute
from payments.domain.periods import financial_year, year_bounds
from payments.handlers.access import find_payment, require_editor, require_viewer, today, writable_payment
from payments.handlers.payment_states import publish_state
from payments.store import remittances, scheduled
from payments.store.remittances import RemittanceRef
from payments.store.scheduled import ContractRow, PeriodRow, Summary
from shared.auth import Principal
from shared.decisions import rules
from shared.events import ScheduledPaymentConfirmed, ScheduledPaymentDisputed, ScheduledPaymentState
from shared.money import total
from shared.store import Scope
from shared.uow import Caller, Work


@dataclass(frozen=True)
class Options:
    financial_years: list[str]
    contracts: list[ContractRow]
    current_year: str


@dataclass(frozen=True)
class PaymentView:
    """A payment as the provider's page shows it: its state, what is still payable, what the caller
    may do."""

    payment: ScheduledPaymentState
    payable_excl_vat: Decimal
    payable_vat: Decimal
    payable_total: Decimal
    can_confirm: bool
    can_dispute: bool
    current: bool
    remittance: RemittanceRef | None


async def view_of(
    conn: asyncpg.Connection, payment: ScheduledPaymentState, principal: Principal
) -> PaymentView:
    payable = [line for line in payment.lines if line.status == "payable"]
    editor = principal.can_edit and not principal.is_council
    return PaymentView(
        payment=payment,
        payable_excl_vat=total(line.excl_vat for line in payable),
        payable_vat=total(line.vat for line in payable),
        payable_total=total(line.total for line in payable),
        can_confirm=editor and payment.status == "unconfirmed",
        can_dispute=editor and payment.status in ("unconfirmed", "disputed") and bool(payable),
        current=await scheduled.is_current(
            conn, scope=scheduled.payment_scope(principal), payment_id=payment.payment_id
        ),
        remittance=(
            await remittances.of_payment(conn, payment_id=payment.payment_id)
            if payment.status == "finalised"
            else None
        ),
    )


async def options(caller: Caller, work: Work) -> Options:
    """Every financial year with a payment (and this one), newest first; the caller's contracts."""
    principal = caller.principal
    require_viewer(principal)
    async with work.read() as conn:
        starts = await scheduled.years(conn, scope=scheduled.payment_scope(principal))
        contracts = await scheduled.contracts(conn, scope=Scope.of(principal, scheduled.CONTRACT_ROWS))
    current = financial_year(today())
    years = sorted({financial_year(day) for day in starts} | {current}, reverse=True)
    return Options(financial_years=years, contracts=contracts, current_year=current)


async def list_periods(
    caller: Caller, work: Work, *, year: str | None, contract_id: uuid.UUID | None
) -> list[PeriodRow]:
    """The payments of the year's periods (this year when none is given), newest first."""
    principal = caller.principal
    require_viewer(principal)
    # A bad year is refused at financial_year (invalid-year) by year_bounds: the page shows it at the pick list.
    first, last = year_bounds(year if year is not None else financial_year(today()))
    async with work.read() as conn:
        return await scheduled.periods(
            conn,
            scope=scheduled.payment_scope(principal),
            year_start=first,
            year_end=last,
            contract_id=contract_id,
        )


async def get_payment(caller: Caller, work: Work, *, payment_id: uuid.UUID) -> PaymentView:
    require_viewer(caller.principal)
    async with work.read() as conn:
        return await view_of(conn, await find_payment(conn, caller.principal, payment_id), caller.principal)


async def summary(caller: Caller, work: Work) -> Summary:
    require_viewer(caller.principal)
    async with work.read() as conn:
        return await scheduled.summary(conn, scope=scheduled.payment_scope(caller.principal), today=today())


async def confirm(caller: Caller, work: Work, *, payment_id: uuid.UUID, version: int) -> PaymentView:
    """The provider agrees the unconfirmed payment: confirmed, with the event of its full state."""
    principal = caller.principal
    require_editor(principal)
    async with work.begin(caller.actor) as uow:
        await writable_payment(
            uow.conn, principal, payment_id, version=version, allowed=("unconfirmed",), doing="confirmed"
        )
        at = datetime.now(UTC)
        await scheduled.confirm(
            uow.conn,
            scope=scheduled.payment_scope(principal),
            payment_id=payment_id,
            confirmed_by=principal.subject,
            at=at,
        )
        done = await find_payment(uow.conn, principal, payment_id)
        event = ScheduledPaymentConfirmed(
            **done.model_dump(),
            authority_id=principal.authority_id,
            confirmed_by=principal.subject,
            confirmed_at=at,
        )
        await uow.publish(event, aggregate_id=payment_id, authority_id=principal.authority_id)
        await publish_state(uow, done, authority_id=principal.authority_id)
        await uow.audit(
            "scheduled_payment_confirmed",
            authority_id=principal.authority_id,
            organisation_id=done.organisation_id,
            subject_id=payment_id,
            version=done.revision,
            total=str(done.total),
        )
        uow.log("scheduled_payment_confirmed", payment_id=str(payment_id), total=str(done.total))
        return await view_of(uow.conn, done, principal)


async def dispute(
    caller: Caller,
    work: Work,
    *,
    payment_id: uuid.UUID,
    version: int,
    reason: str | None,
    line_ids: Sequence[uuid.UUID],
) -> PaymentView:
    """The provider disputes the whole payment (no lines named: every payable line) or some lines,
    with a reason: those lines disputed, the payment disputed, a request for the council to decide."""
    principal = caller.principal
    require_editor(principal)
    rules.require_asker(principal, DISPUTE.capability, DISPUTE.what)  # a person's word, not a key's
    text = dispute_reason(reason)
    async with work.begin(caller.actor) as uow:
        payment = await writable_payment(
            uow.conn,
            principal,
            payment_id,
            version=version,
            allowed=("unconfirmed", "disputed"),
            doing="disputed",
        )
        disputed = lines_to_dispute(payment.lines, line_ids)
        whole = not line_ids
        chosen = set(disputed)
        request = await REQUESTS.submit(
            uow,
            principal,
            DISPUTE,
            DisputeRequest(
                payment_id=payment_id,
                line_ids=disputed,
                whole_payment=whole,
                total=total(line.total for line in payment.lines if line.line_id in chosen),
                provider_reason=text,
            ),
            subject=f"payment:{payment_id}",
            contract_id=payment.contract_id,
            payment_id=payment_id,
            lines=len(disputed),
        )
        await scheduled.dispute_lines(
            uow.conn,
            scope=scheduled.payment_scope(principal),
            payment_id=payment_id,
            line_ids=disputed,
            reason=text,
            request_id=request.request_id,
        )
        done = await find_payment(uow.conn, principal, payment_id)
        event = ScheduledPaymentDisputed(
            **done.model_dump(),
            authority_id=principal.authority_id,
            disputed_line_ids=disputed,
            whole_payment=whole,
            reason=text,
            request_id=request.request_id,
            disputed_by=principal.subject,
            disputed_at=datetime.now(UTC),
        )
        await uow.publish(event, aggregate_id=payment_id, authority_id=principal.authority_id)
        await publish_state(uow, done, authority_id=principal.authority_id)
        uow.log("scheduled_payment_disputed", payment_id=str(payment_id), lines=len(disputed))
        return await view_of(uow.conn, done, principal)
