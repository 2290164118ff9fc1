"""Invoices and credit notes: pure rules (DOMAIN.md "Payments", docs/invoices.md).

An actuals-payable invoice is made from confirmed weeks of actuals, one line per client of each week,
its amounts those actuals computed (never typed); VAT at the contract's rate on each line. A retraction is
a credit note: the same lines, negative.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from payments.domain.periods import vat_of
from shared.errors import FieldError, Invalid

STANDARD_VAT = Decimal("0.2000")
NO_VAT = Decimal("0.0000")
PREFIX = {"invoice": "INV", "credit_note": "CRN"}
REFERENCE_MAX = 100
REASON_MAX = 500


def document_number(kind: str, sequence: int) -> str:
    """'INV-000123', 'CRN-000045': readable, unique per authority with its counter (0006)."""
    return f"{PREFIX[kind]}-{sequence:06d}"


def vat_rate(*, schedule_rate: Decimal | None, vat_registered: bool) -> Decimal:
    """The council's schedule rate for the contract when one is set, else 20% for a VAT-registered
    provider, else none."""
    if schedule_rate is not None:
        return schedule_rate
    return STANDARD_VAT if vat_registered else NO_VAT


@dataclass(frozen=True)
class WeekLine:
    """A client's line of a confirmed week, as actuals costed it."""

    week_id: uuid.UUID
    service_id: uuid.UUID
    week_commencing: date
    client_id: uuid.UUID
    total: Decimal


@dataclass(frozen=True)
class Line:
    """A line of an invoice or credit note."""

    week_id: uuid.UUID | None
    service_id: uuid.UUID | None
    week_commencing: date | None
    client_id: uuid.UUID | None
    excl_vat: Decimal
    vat: Decimal

    @property
    def total(self) -> Decimal:
        return self.excl_vat + self.vat


def invoice_lines(week_lines: list[WeekLine], rate: Decimal) -> list[Line]:
    """One line per client of each week, VAT rounded at the line. A client with two lines in one week
    (two CPLIs) is one invoice line: the week is invoiced once per client (invoice_line_week_once)."""
    summed: dict[tuple[uuid.UUID, uuid.UUID], WeekLine] = {}
    for w in week_lines:
        key = (w.week_id, w.client_id)
        held = summed.get(key)
        summed[key] = w if held is None else replace(held, total=held.total + w.total)
    return [
        Line(w.week_id, w.service_id, w.week_commencing, w.client_id, w.total, vat_of(w.total, rate))
        for w in summed.values()
    ]


def credit_lines(lines: list[Line]) -> list[Line]:
    """The lines of an invoice, negative: what its credit note takes back."""
    return [Line(x.week_id, x.service_id, x.week_commencing, x.client_id, -x.excl_vat, -x.vat) for x in lines]


def sums(lines: list[Line]) -> tuple[Decimal, Decimal, Decimal]:
    """Excluding VAT, VAT and total of the lines, to the penny (each line is already rounded)."""
    excl = sum((x.excl_vat for x in lines), Decimal("0.00"))
    vat = sum((x.vat for x in lines), Decimal("0.00"))
    return excl, vat, excl + vat


def provider_reference(value: str | None) -> str | None:
    """The provider's own reference, trimmed; None when blank."""
    text = (value or "").strip()
    if len(text) > REFERENCE_MAX:
        raise Invalid.field("provider_reference", f"must be {REFERENCE_MAX} characters or fewer")
    return text or None


def retraction_reason(value: str | None) -> str:
    """Why an invoice is retracted: required (the council reads it on the credit note)."""
    text = (value or "").strip()
    if not text:
        raise Invalid.field("reason", "say why the invoice is retracted", code="reason-required")
    if len(text) > REASON_MAX:
        raise Invalid.field("reason", f"must be {REASON_MAX} characters or fewer")
    return text


def week_ids(given: list[uuid.UUID]) -> list[uuid.UUID]:
    """At least one week, each once."""
    if not given:
        raise Invalid.field("week_ids", "choose at least one confirmed week", code="no-weeks")
    seen: set[uuid.UUID] = set()
    errors = []
    for n, week_id in enumerate(given):
        if week_id in seen:
            errors.append(FieldError(f"week_ids[{n}]", f"week {week_id} is listed twice"))
        seen.add(week_id)
    if errors:
        raise Invalid.all_of(errors, code="duplicate-week")
    return list(given)
