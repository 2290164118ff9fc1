"""One of each payment event a council's finance system consumes, for one authority, with amounts a test
can check to the penny: a scheduled payment of two lines (353.08 + 303.03 = 656.11, no VAT), its dispute
of the second line, the run that finalised it and one more payment, a remittance with a VAT line
(100.00 + 20.00 VAT), an invoice of one week (250.00) and the credit note that retracts it (-250.00)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from shared.events import (
    CreditNoteIssued,
    InvoiceSubmitted,
    PaymentRunFinalised,
    RemittanceIssued,
    ScheduledPaymentConfirmed,
    ScheduledPaymentDisputed,
)
from shared.events.envelope import EventPayload
from shared.events.payments import (
    InvoiceLine,
    PaidWeek,
    PaymentLineState,
    RemittanceLine,
    RunPaymentSummary,
)

D = Decimal
NOW = datetime(2019, 10, 8, 9, 30, tzinfo=UTC)
SUPPLIER = "741254"
CONTRACT = "C-FOST-0148"
PERIOD = (date(2019, 9, 30), date(2019, 10, 6))
PAY_DATE = date(2019, 10, 11)


def payment_lines() -> list[PaymentLineState]:
    return [
        _payment_line("C2000020", "Simpson, Bart", "PO-2019-148-1", "CC-FOST-01", D("353.08")),
        _payment_line("C2000021", "Simpson, Lisa", "PO-2019-148-2", None, D("303.03")),
    ]


def _payment_line(
    client: str, name: str, order: str, cost_code: str | None, amount: Decimal
) -> PaymentLineState:
    return PaymentLineState(
        line_id=uuid.uuid4(),
        source="planned",
        client_id=uuid.uuid4(),
        client_reference=client,
        client_name=name,
        purchase_order_id=uuid.uuid4(),
        purchase_order_number=order,
        cost_code=cost_code,
        service_start=PERIOD[0],
        service_end=PERIOD[1],
        adjustment=False,
        excl_vat=amount,
        vat=D("0.00"),
        total=amount,
        status="payable",
    )


def six_events(authority_id: uuid.UUID) -> dict[str, EventPayload]:
    """The six events, by a short name: confirmed, disputed, finalised, remittance, invoice, credit."""
    organisation_id, contract_id, run_id, payment_id = (uuid.uuid4() for _ in range(4))
    lines = payment_lines()
    payment = {
        "payment_id": payment_id,
        "organisation_id": organisation_id,
        "supplier_reference": SUPPLIER,
        "supplier_name": "Sausage Sandwich Fostering",
        "contract_id": contract_id,
        "contract_reference": CONTRACT,
        "contract_name": "Sausage Sandwich",
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        "pay_date": PAY_DATE,
        "payment_run_id": run_id,
        "excl_vat": D("656.11"),
        "vat": D("0.00"),
        "total": D("656.11"),
        "lines": lines,
        "authority_id": authority_id,
    }
    confirmed = ScheduledPaymentConfirmed(
        **payment, status="confirmed", revision=4, confirmed_by="user-1", confirmed_at=NOW
    )
    disputed_line = lines[1].model_copy(update={"status": "disputed", "dispute_reason": "Lisa left"})
    disputed = ScheduledPaymentDisputed(
        **{**payment, "lines": [lines[0], disputed_line]},
        status="disputed",
        revision=2,
        disputed_line_ids=[disputed_line.line_id],
        whole_payment=False,
        reason="Lisa left on 3 October",
        request_id=uuid.uuid4(),
        disputed_by="user-1",
        disputed_at=NOW,
    )
    summary = {
        "organisation_id": organisation_id,
        "supplier_reference": SUPPLIER,
        "contract_id": contract_id,
        "contract_reference": CONTRACT,
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        "pay_date": PAY_DATE,
    }
    finalised = PaymentRunFinalised(
        payment_run_id=run_id,
        authority_id=authority_id,
        reference="PR-2019-10-1",
        weeks=[PaidWeek(week_id=uuid.uuid4(), service_id=uuid.uuid4(), week_commencing=PERIOD[0])],
        finalised_by="council-finance",
        finalised_at=NOW,
        frequency="weekly",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        payments=[
            RunPaymentSummary(
                **summary, payment_id=payment_id, excl_vat=D("353.08"), vat=D("0.00"), total=D("353.08")
            ),
            RunPaymentSummary(
                **{**summary, "supplier_reference": "741255", "contract_reference": "C-RES-0007"},
                payment_id=uuid.uuid4(),
                excl_vat=D("1200.50"),
                vat=D("240.10"),
                total=D("1440.60"),
            ),
        ],
        excl_vat=D("1553.58"),
        vat=D("240.10"),
        total=D("1793.68"),
    )
    remittance = RemittanceIssued(
        remittance_id=uuid.uuid4(),
        authority_id=authority_id,
        organisation_id=organisation_id,
        supplier_reference=SUPPLIER,
        supplier_name="Sausage Sandwich Fostering",
        reference="RA-2019-40-741254",
        payment_run_id=run_id,
        payment_run_reference="PR-2019-10-1",
        payment_id=payment_id,
        contract_id=contract_id,
        contract_reference=CONTRACT,
        contract_name="Sausage Sandwich",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        pay_date=PAY_DATE,
        excl_vat=D("453.08"),
        vat=D("20.00"),
        total=D("473.08"),
        lines=[
            _remittance_line("C2000020", "PO-2019-148-1", "CC-FOST-01", "353.08", "0.00", "353.08"),
            _remittance_line(None, "PO-2019-148-9", None, "100.00", "20.00", "120.00"),
        ],
        issued_at=NOW,
    )
    document = {
        "organisation_id": organisation_id,
        "supplier_reference": SUPPLIER,
        "contract_id": contract_id,
        "contract_reference": CONTRACT,
        "issue_date": date(2019, 10, 7),
        "authority_id": authority_id,
    }
    invoice_id = uuid.uuid4()
    invoice = InvoiceSubmitted(
        **document,
        invoice_id=invoice_id,
        kind="invoice",
        number="INV-000123",
        excl_vat=D("250.00"),
        vat=D("0.00"),
        total=D("250.00"),
        lines=[_invoice_line("250.00")],
        submitted_by="user-1",
        submitted_at=NOW,
    )
    credit = CreditNoteIssued(
        **document,
        invoice_id=uuid.uuid4(),
        kind="credit_note",
        number="CRN-000007",
        excl_vat=D("-250.00"),
        vat=D("0.00"),
        total=D("-250.00"),
        lines=[_invoice_line("-250.00")],
        credits_invoice_id=invoice_id,
        reason="Invoice raised against the wrong week",
        issued_by="user-1",
        issued_at=NOW,
    )
    return {
        "confirmed": confirmed,
        "disputed": disputed,
        "finalised": finalised,
        "remittance": remittance,
        "invoice": invoice,
        "credit": credit,
    }


def _remittance_line(
    client: str | None, order: str, cost_code: str | None, excl: str, vat: str, total: str
) -> RemittanceLine:
    return RemittanceLine(
        line_id=uuid.uuid4(),
        source="planned" if client else "claim",
        client_id=uuid.uuid4() if client else None,
        client_reference=client,
        client_name="Simpson, Bart" if client else None,
        purchase_order_number=order,
        cost_code=cost_code,
        service_start=PERIOD[0],
        service_end=PERIOD[1],
        adjustment=False,
        excl_vat=D(excl),
        vat=D(vat),
        total=D(total),
    )


def _invoice_line(amount: str) -> InvoiceLine:
    return InvoiceLine(
        week_id=uuid.uuid4(),
        service_id=uuid.uuid4(),
        week_commencing=date(2019, 9, 30),
        client_id=uuid.uuid4(),
        client_reference="C2000020",
        client_name="Simpson, Bart",
        purchase_order_number="PO-2019-148-1",
        cost_code="CC-FOST-01",
        excl_vat=D(amount),
        vat=D("0.00"),
        total=D(amount),
    )
