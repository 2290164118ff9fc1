"""Finalising a payment run (docs/payments.md "Finalising"): each payment in its own transaction (locked),
disputed lines held, status finalised, a remittance of its payable lines (payments.remittance.issued) and,
when the run takes money back, a credit note (payments.credit_note.issued); then the run, once, with
payments.payment_run.finalised (which locks the weeks of actuals it paid). A crash mid-way leaves whole
payments done; finalising again goes on from there, and once the run is finalised it changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from payments.domain.invoices import document_number
from payments.handlers.payment_states import publish_state
from payments.handlers.schedules import require_council
from payments.store import invoices as invoices_store
from payments.store import runs as store
from payments.store.payments import get_payment
from shared.errors import Conflict, NotFound
from shared.events import (
    CreditNoteIssued,
    InvoiceLine,
    PaidWeek,
    PaymentLineState,
    PaymentRunFinalised,
    RemittanceIssued,
    RemittanceLine,
    RunPaymentSummary,
    ScheduledPaymentState,
)
from shared.store import AuthorityScope
from shared.uow import Caller, UnitOfWork, Work

ZERO = Decimal("0.00")


async def finalise_run(
    caller: Caller, work: Work, *, run_id: uuid.UUID, today: date | None = None
) -> dict[str, object]:
    principal = caller.principal
    require_council(principal, edit=True)
    today = today or date.today()
    authority_id = principal.authority_id
    async with work.read() as conn:
        run = await store.get_run(conn, authority_id=authority_id, run_id=run_id)
        if run is None:
            raise NotFound.of("payment run", code="run-not-found")
        if run["status"] == "finalised":
            return dict(run)
        if run["status"] == "failed":
            raise Conflict(
                "computing the run failed: start the run of its period again to resume it, and finalise it"
                " once it is computed",
                code="run-failed",
            )
        if run["status"] != "computed":
            raise Conflict(
                "the run is still computing: finalise it once it is computed", code="run-not-computed"
            )
        dates = await store.run_periods(
            conn, authority_id=authority_id, frequency=run["frequency"], period_start=run["period_start"]
        )
        if dates["finalisation_date"] is None:  # the schedules were laid again without the run's period
            raise Conflict(
                f"no {run['frequency'].replace('_', '-')} schedule has the run's period (starting"
                f" {run['period_start']:%d/%m/%Y}) any more: its schedules were changed since the run was"
                " computed. Put the schedules back to finalise it",
                code="run-period-gone",
            )
        if dates["finalisation_date"] > today:
            raise Conflict(
                f"the run can be finalised from {dates['finalisation_date']}, not before",
                code="not-yet-finalisation-date",
            )
        payment_ids = await store.unfinalised_payments(conn, run_id=run_id)
    scope = AuthorityScope(authority_id, column="p.authority_id")
    for payment_id in payment_ids:
        async with work.begin(caller.actor) as uow:
            state = await get_payment(uow.conn, scope=scope, payment_id=payment_id, for_update=True)
            if state is None or state.status == "finalised":
                continue  # another call finalised it meanwhile
            await store.finalise_payment(uow.conn, payment_id=payment_id)
            final = await get_payment(uow.conn, scope=scope, payment_id=payment_id)
            assert final is not None
            await publish_state(uow, final, authority_id=authority_id)
            await _remit(uow, final, run_reference=run["reference"], authority_id=authority_id, today=today)
    async with work.begin(caller.actor) as uow:
        finalised = await store.mark_finalised(uow.conn, run_id=run_id, by=principal.subject)
        if finalised is not None:
            await _announce(
                uow, run, finalised_by=principal.subject, at=finalised["finalised_at"], scope=scope
            )
            await uow.audit(
                "payment_run_finalised",
                authority_id=authority_id,
                subject_id=run_id,
                payments=len(payment_ids),
            )
        found = await store.get_run(uow.conn, authority_id=authority_id, run_id=run_id)
    assert found is not None
    return dict(found)


async def _remit(
    uow: UnitOfWork, state: ScheduledPaymentState, *, run_reference: str, authority_id: uuid.UUID, today: date
) -> None:
    """The remittance of the payment's payable lines, and a credit note for the ones that take back."""
    payable = [line for line in state.lines if line.status == "payable"]
    if not payable:
        return
    now = datetime.now(UTC)
    remittance_id = uuid.uuid4()
    remittance_ref = f"RA-{run_reference}-{state.contract_reference}"
    await store.insert_remittance(
        uow.conn,
        remittance_id=remittance_id,
        authority_id=authority_id,
        organisation_id=state.organisation_id,
        contract_id=state.contract_id,
        run_id=state.payment_run_id,
        payment_id=state.payment_id,
        reference=remittance_ref,
        period_start=state.period_start,
        period_end=state.period_end,
        pay_date=state.pay_date,
        excl_vat=state.excl_vat,
        vat=state.vat,
        total=state.total,
        issued_at=now,
    )
    lines = [
        RemittanceLine(
            line_id=line.line_id,
            source=line.source,
            client_id=line.client_id,
            client_reference=line.client_reference,
            client_name=line.client_name,
            purchase_order_number=line.purchase_order_number,
            cost_code=line.cost_code,
            service_start=line.service_start,
            service_end=line.service_end,
            adjustment=line.adjustment,
            excl_vat=line.excl_vat,
            vat=line.vat,
            total=line.total,
        )
        for line in payable
    ]
    await uow.publish(
        RemittanceIssued(
            remittance_id=remittance_id,
            authority_id=authority_id,
            organisation_id=state.organisation_id,
            supplier_reference=state.supplier_reference,
            supplier_name=state.supplier_name,
            reference=remittance_ref,
            payment_run_id=state.payment_run_id,
            payment_run_reference=run_reference,
            payment_id=state.payment_id,
            contract_id=state.contract_id,
            contract_reference=state.contract_reference,
            contract_name=state.contract_name,
            period_start=state.period_start,
            period_end=state.period_end,
            pay_date=state.pay_date,
            excl_vat=state.excl_vat,
            vat=state.vat,
            total=state.total,
            lines=lines,
            issued_at=now,
        ),
        aggregate_id=remittance_id,
        authority_id=authority_id,
    )
    back = [line for line in payable if line.total < 0]
    if back:
        await _credit(uow, state, back, authority_id=authority_id, today=today, now=now)


async def _credit(
    uow: UnitOfWork,
    state: ScheduledPaymentState,
    back: list[PaymentLineState],
    *,
    authority_id: uuid.UUID,
    today: date,
    now: datetime,
) -> None:
    """A credit note for what the run takes back (negative lines): never an edit of a finalised payment."""
    invoice_id = uuid.uuid4()
    # The same numbers as a provider's retraction (CRN-...), from the authority's counter (migration 0006).
    sequence = await invoices_store.next_number(uow.conn, authority_id=authority_id, kind="credit_note")
    number = document_number("credit_note", sequence)
    excl = sum((line.excl_vat for line in back), ZERO)
    vat = sum((line.vat for line in back), ZERO)
    reason = (
        "Taken back by a payment run: "
        + ", ".join(sorted({f"{line.service_start} to {line.service_end}" for line in back}))[:200]
    )
    by = uow.actor.id or "payments"
    await store.insert_credit_note(
        uow.conn,
        invoice_id=invoice_id,
        authority_id=authority_id,
        organisation_id=state.organisation_id,
        contract_id=state.contract_id,
        number=number,
        issue_date=today,
        excl_vat=excl,
        vat=vat,
        total=excl + vat,
        credits_payment_id=state.payment_id,
        reason=reason,
        created_by=by,
        submitted_by=by,
        submitted_at=now,
    )
    # Its lines as its event carries them, so a backfill re-publishes the same event (migration 0007).
    await store.insert_credit_note_lines(
        uow.conn,
        invoice_id=invoice_id,
        authority_id=authority_id,
        organisation_id=state.organisation_id,
        lines=[
            (
                line.client_id,
                line.client_reference,
                line.client_name,
                line.purchase_order_number,
                line.cost_code,
                line.excl_vat,
                line.vat,
                line.total,
                line.service_start,
                line.service_end,
            )
            for line in back
        ],
    )
    await uow.publish(
        CreditNoteIssued(
            invoice_id=invoice_id,
            kind="credit_note",
            number=number,
            organisation_id=state.organisation_id,
            supplier_reference=state.supplier_reference,
            contract_id=state.contract_id,
            contract_reference=state.contract_reference,
            issue_date=today,
            excl_vat=excl,
            vat=vat,
            total=excl + vat,
            lines=[
                InvoiceLine(
                    client_id=line.client_id,
                    client_reference=line.client_reference,
                    client_name=line.client_name,
                    purchase_order_number=line.purchase_order_number,
                    cost_code=line.cost_code,
                    service_start=line.service_start,
                    service_end=line.service_end,
                    excl_vat=line.excl_vat,
                    vat=line.vat,
                    total=line.total,
                )
                for line in back
            ],
            authority_id=authority_id,
            credits_payment_id=state.payment_id,
            reason=reason,
            issued_by=by,
            issued_at=now,
        ),
        aggregate_id=invoice_id,
        authority_id=authority_id,
    )


async def _announce(
    uow: UnitOfWork, run: Mapping[str, Any], *, finalised_by: str, at: datetime, scope: AuthorityScope
) -> None:
    """payments.payment_run.finalised: every payment in brief and every week of actuals paid."""
    run_id = run["run_id"]
    summaries = []
    for payment_id in await uow.conn.fetch(
        "SELECT payment_id FROM payments.scheduled_payment WHERE run_id = $1 ORDER BY contract_id", run_id
    ):
        state = await get_payment(uow.conn, scope=scope, payment_id=payment_id["payment_id"])
        assert state is not None
        summaries.append(
            RunPaymentSummary(
                payment_id=state.payment_id,
                organisation_id=state.organisation_id,
                supplier_reference=state.supplier_reference,
                contract_id=state.contract_id,
                contract_reference=state.contract_reference,
                period_start=state.period_start,
                period_end=state.period_end,
                pay_date=state.pay_date,
                excl_vat=state.excl_vat,
                vat=state.vat,
                total=state.total,
            )
        )
    weeks = await store.paid_weeks(uow.conn, run_id=run_id)
    await uow.publish(
        PaymentRunFinalised(
            payment_run_id=run_id,
            authority_id=run["authority_id"],
            reference=run["reference"],
            weeks=[PaidWeek(**dict(w)) for w in weeks],
            finalised_by=finalised_by,
            finalised_at=at,
            frequency=run["frequency"],
            period_start=run["period_start"],
            period_end=run["period_end"],
            payments=summaries,
            excl_vat=sum((s.excl_vat for s in summaries), ZERO),
            vat=sum((s.vat for s in summaries), ZERO),
            total=sum((s.total for s in summaries), ZERO),
        ),
        aggregate_id=run_id,
        authority_id=run["authority_id"],
    )
