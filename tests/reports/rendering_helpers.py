"""Stand-in report definitions for the rendering tests (the shapes agreed for issue 14's catalogue), and
reading a PDF back as text (pypdf)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

from pypdf import PdfReader

from reports.domain.catalogue import Column, ReportDefinition

PRINTED = datetime(2019, 10, 2, 9, 30, tzinfo=UTC)

PENDING = ReportDefinition(
    key="pending-scheduled-payments",
    title="Pending Scheduled Payments",
    description="Payments computed but not yet finalised.",
    columns=(
        Column("client_name", "Client"),
        Column("client_reference", "SSRef"),
        Column("period_start", "From", kind="date"),
        Column("days", "Days", kind="number", total=True),
        Column("excl_vat", "Excl VAT", kind="money", total=True),
        Column("vat", "VAT", kind="money", total=True),
        Column("total", "Total", kind="money", total=True),
    ),
)
NARROW = ReportDefinition(
    key="annual-statement-foster-carer",
    title="Annual Statement of Foster Carer Payments",
    description="Per tax year.",
    columns=(
        Column("child", "Child"),
        Column("born", "Date of birth", kind="date"),
        Column("days", "Days of care", kind="number", total=True),
        Column("total", "Grand total", kind="money", total=True),
    ),
    narrow=True,
)
REMITTANCE = ReportDefinition(
    key="remittance-advice",
    title="Remittance Advice Provider Payments",
    description="",
    columns=(
        Column("client_name", "Client"),
        Column("purchase_order_number", "Purchase order"),
        Column("excl_vat", "Excl VAT", kind="money", total=True),
        Column("total", "Total", kind="money", total=True),
    ),
)


def pending_row(n: int) -> dict[str, object]:
    """Row n of the pending payments report: amounts that differ row by row (pence included)."""
    excl = Decimal(100 + n) + Decimal(n % 100) / 100
    vat = (excl / 5).quantize(Decimal("0.01")) if n % 3 == 0 else Decimal("0.00")
    return {
        "client_name": f"Client {n:04d}",
        "client_reference": f"C{2000000 + n}",
        "period_start": date(2019, 9, 30),
        "days": 7,
        "excl_vat": excl,
        "vat": vat,
        "total": excl + vat,
    }


def pdf_pages(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def page_footer(text: str) -> tuple[int, int]:
    """The "Page x of y" of a page's text."""
    match = re.search(r"Page (\d+) of\s*(\d+)", text)
    assert match, text
    return int(match[1]), int(match[2])
