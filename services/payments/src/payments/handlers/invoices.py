"""A provider's invoices and credit notes: list, read, the weeks it can invoice, make a draft from confirmed
weeks, submit, delete a draft, retract (docs/invoices.md).

Writes lock what they change: the invoice (its version) or, for a new invoice, its weeks, in one order;
the partial unique index invoice_line_week_once is the last word when two invoices race for one week.
"""

from __future__ import annotations

import uuid

import asyncpg

from payments.domain import invoices as rules
from payments.handlers.invoice_access import (
    check_filters,
    find,
    require_editor,
    require_version,
    require_viewer,
    today,
    view_of,
)
from payments.handlers.invoice_views import InvoiceView, credit_note_event, submitted_event
from payments.handlers.invoice_weeks import already_invoiced, refuse, week_problems
from payments.store import invoices as store
from payments.store import weeks
from payments.store.invoices import InvoiceRow
from payments.store.weeks import WeekRow
from shared.errors import Conflict, FieldError, Invalid, NotFound
from shared.uow import Caller, Work


async def list_invoices(
    caller: Caller, work: Work, *, kind: str | None, status: str | None, limit: int, offset: int
) -> list[InvoiceRow]:
    require_viewer(caller.principal)
    check_filters(kind, status)
    async with work.read() as conn:
        return await store.list_page(
            conn,
            scope=store.invoice_scope(caller.principal),
            kind=kind,
            status=status,
            organisation_id=None,
            limit=limit,
            offset=offset,
        )


async def get_invoice(caller: Caller, work: Work, *, invoice_id: uuid.UUID) -> InvoiceView:
    require_viewer(caller.principal)
    async with work.read() as conn:
        return await view_of(conn, await find(conn, caller.principal, invoice_id))


async def invoiceable_weeks(caller: Caller, work: Work, *, contract_id: uuid.UUID | None) -> list[WeekRow]:
    """Confirmed weeks of actuals on no standing invoice."""
    require_viewer(caller.principal)
    async with work.read() as conn:
        return await weeks.invoiceable(
            conn, scope=weeks.week_scope(caller.principal), contract_id=contract_id
        )


async def create_invoice(
    caller: Caller,
    work: Work,
    *,
    contract_id: uuid.UUID,
    week_ids: list[uuid.UUID],
    provider_reference: str | None,
) -> InvoiceView:
    """A draft invoice of one contract from its confirmed weeks: a line per client of each week, the
    amounts those weeks' actuals computed, VAT at the contract's rate on each line."""
    principal = caller.principal
    require_editor(principal)
    given = rules.week_ids(week_ids)
    reference = rules.provider_reference(provider_reference)
    async with work.begin(caller.actor) as uow:
        contract = await weeks.contract(
            uow.conn, scope=weeks.contract_scope(principal), contract_id=contract_id
        )
        if contract is None:
            raise NotFound.of("contract", code="contract-not-found")
        if contract.payment_basis != "actuals":
            raise Invalid.field(
                "contract_id",
                f"{contract.reference} is paid on {contract.payment_basis}: only a contract paid on actuals"
                " is invoiced",
                code="not-actuals-payable",
            )
        found = await weeks.locked(uow.conn, scope=weeks.week_scope(principal), week_ids=given)
        problems = week_problems(contract_id, given, found)
        if problems:
            raise refuse(problems, "week-not-invoiceable")
        taken = already_invoiced(given, found)
        if taken is not None:
            raise taken
        rate = rules.vat_rate(
            schedule_rate=await weeks.schedule_vat(
                uow.conn, scope=weeks.schedule_scope(principal), contract_id=contract_id
            ),
            vat_registered=contract.vat_registered,
        )
        by_id = {w.week_id: w for w in found}
        week_lines = [
            rules.WeekLine(
                x.week_id, by_id[x.week_id].service_id, by_id[x.week_id].week_commencing, x.client_id, x.total
            )
            for x in await weeks.lines_of(uow.conn, week_ids=given)
        ]
        lines = rules.invoice_lines(week_lines, rate)
        assert principal.organisation_id is not None
        sequence = await store.next_number(uow.conn, authority_id=principal.authority_id, kind="invoice")
        try:
            invoice_id = await store.add(
                uow.conn,
                authority_id=principal.authority_id,
                organisation_id=principal.organisation_id,
                contract_id=contract_id,
                kind="invoice",
                number=rules.document_number("invoice", sequence),
                status="draft",
                provider_reference=reference,
                issue_date=today(),
                lines=lines,
                created_by=principal.subject,
            )
        except asyncpg.UniqueViolationError as clash:  # another invoice took a week meanwhile
            raise Conflict(
                "week_ids: a week chosen was invoiced by someone else at the same time: reload the weeks",
                code="week-invoiced",
                fields=[FieldError("week_ids", "a week chosen was invoiced at the same time")],
            ) from clash
        row = await find(uow.conn, principal, invoice_id)
        await uow.audit(
            "invoice_created",
            authority_id=row.authority_id,
            organisation_id=row.organisation_id,
            subject_id=invoice_id,
            number=row.number,
            weeks=len(given),
            total=str(row.total),
        )
        uow.log("invoice_created", invoice_id=str(invoice_id), number=row.number, total=str(row.total))
        return await view_of(uow.conn, row)


async def submit_invoice(caller: Caller, work: Work, *, invoice_id: uuid.UUID, version: int) -> InvoiceView:
    """The draft goes to the council, dated today: payments.invoice.submitted.v1. Submitting a submitted
    invoice again answers it as it is (a retry publishes nothing more)."""
    principal = caller.principal
    require_editor(principal)
    async with work.begin(caller.actor) as uow:
        row = await find(uow.conn, principal, invoice_id, lock=True)
        if row.kind != "invoice":
            raise Conflict(
                f"{row.number} is a credit note: it is issued, not submitted", code="not-an-invoice"
            )
        if row.status == "submitted":
            return await view_of(uow.conn, row)
        if row.status != "draft":
            raise Conflict(f"{row.number} was retracted: it cannot be submitted", code="invoice-retracted")
        require_version(row, version)
        lines = await store.lines_of(uow.conn, invoice_id=invoice_id)
        week_ids = list(dict.fromkeys(x.week_id for x in lines if x.week_id is not None))
        found = await weeks.locked(uow.conn, scope=weeks.week_scope(principal), week_ids=week_ids)
        unconfirmed = [
            FieldError("week_ids", f"the week of {w.week_commencing:%d/%m/%Y} is no longer confirmed")
            for w in found
            if not w.confirmed
        ]
        if unconfirmed:
            raise refuse(unconfirmed, "week-not-invoiceable")
        await store.submitted(
            uow.conn,
            scope=store.invoice_scope(principal),
            invoice_id=invoice_id,
            issue_date=today(),
            submitted_by=principal.subject,
        )
        done = await find(uow.conn, principal, invoice_id)
        view = await view_of(uow.conn, done)
        await uow.publish(
            submitted_event(view, done), aggregate_id=invoice_id, authority_id=done.authority_id
        )
        await uow.audit(
            "invoice_submitted",
            authority_id=done.authority_id,
            organisation_id=done.organisation_id,
            subject_id=invoice_id,
            number=done.number,
            total=str(done.total),
        )
        uow.log("invoice_submitted", invoice_id=str(invoice_id), number=done.number, total=str(done.total))
        return view


async def delete_invoice(caller: Caller, work: Work, *, invoice_id: uuid.UUID, version: int) -> None:
    """A draft goes, with its lines: its weeks can be invoiced again. Its number is not reused."""
    principal = caller.principal
    require_editor(principal)
    async with work.begin(caller.actor) as uow:
        row = await find(uow.conn, principal, invoice_id, lock=True)
        if row.status != "draft":
            raise Conflict(
                f"{row.number} is {row.status.replace('_', ' ')}: only a draft is deleted"
                + (" (retract it instead)" if row.status == "submitted" else ""),
                code="not-a-draft",
            )
        require_version(row, version)
        await store.delete(uow.conn, scope=store.invoice_scope(principal), invoice_id=invoice_id)
        await uow.audit(
            "invoice_deleted",
            authority_id=row.authority_id,
            organisation_id=row.organisation_id,
            subject_id=invoice_id,
            number=row.number,
        )
        uow.log("invoice_deleted", invoice_id=str(invoice_id), number=row.number)


async def retract_invoice(
    caller: Caller, work: Work, *, invoice_id: uuid.UUID, version: int, reason: str | None
) -> InvoiceView:
    """A submitted invoice is never edited: a credit note of its lines, negative, is issued
    (payments.credit_note.issued.v1), the invoice is retracted and its weeks can be invoiced again."""
    principal = caller.principal
    require_editor(principal)
    why = rules.retraction_reason(reason)
    async with work.begin(caller.actor) as uow:
        row = await find(uow.conn, principal, invoice_id, lock=True)
        if row.kind != "invoice":
            raise Conflict(f"{row.number} is a credit note: it cannot be retracted", code="not-an-invoice")
        if row.status == "draft":
            raise Conflict(f"{row.number} is a draft: delete it rather than retract it", code="invoice-draft")
        if row.status == "retracted":
            raise Conflict(
                f"{row.number} was already retracted by credit note {row.credited_by_number}",
                code="invoice-retracted",
            )
        require_version(row, version)
        lines = await store.lines_of(uow.conn, invoice_id=invoice_id)
        await store.retracted(uow.conn, scope=store.invoice_scope(principal), invoice_id=invoice_id)
        credit = rules.credit_lines(
            [
                rules.Line(x.week_id, x.service_id, x.week_commencing, x.client_id, x.excl_vat, x.vat)
                for x in lines
            ]
        )
        sequence = await store.next_number(uow.conn, authority_id=row.authority_id, kind="credit_note")
        note_id = await store.add(
            uow.conn,
            authority_id=row.authority_id,
            organisation_id=row.organisation_id,
            contract_id=row.contract_id,
            kind="credit_note",
            number=rules.document_number("credit_note", sequence),
            status="issued",
            provider_reference=row.provider_reference,
            issue_date=today(),
            lines=credit,
            created_by=principal.subject,
            credits_invoice_id=invoice_id,
            reason=why,
        )
        note = await find(uow.conn, principal, note_id)
        view = await view_of(uow.conn, note)
        await uow.publish(credit_note_event(view, note), aggregate_id=note_id, authority_id=note.authority_id)
        await uow.audit(
            "invoice_retracted",
            authority_id=row.authority_id,
            organisation_id=row.organisation_id,
            subject_id=invoice_id,
            number=row.number,
            credit_note=note.number,
            reason=why,
        )
        uow.log("invoice_retracted", invoice_id=str(invoice_id), credit_note_id=str(note_id))
        return view
