"""The pure rules of invoices (payments.domain.invoices): numbers, the VAT rate, lines from a week's
client lines, credit lines, and the inputs refused."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from payments.domain import invoices as rules
from shared.errors import Invalid


def test_numbers_are_readable_and_sort_as_they_were_issued():
    assert rules.document_number("invoice", 123) == "INV-000123"
    assert rules.document_number("credit_note", 45) == "CRN-000045"
    assert rules.document_number("invoice", 1234567) == "INV-1234567"


@pytest.mark.parametrize(
    ("schedule", "registered", "rate"),
    [
        (Decimal("0.0500"), True, Decimal("0.0500")),
        (Decimal("0.0000"), True, Decimal("0.0000")),  # a schedule of no VAT is a rate too
        (None, True, Decimal("0.2000")),
        (None, False, Decimal("0.0000")),
    ],
)
def test_the_schedules_rate_else_twenty_percent_when_registered_else_none(schedule, registered, rate):
    assert rules.vat_rate(schedule_rate=schedule, vat_registered=registered) == rate


def test_a_line_per_client_per_week_with_vat_rounded_at_the_line():
    week, other_week, service = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    a, b = uuid.uuid4(), uuid.uuid4()
    monday = date(2019, 9, 30)
    lines = rules.invoice_lines(
        [
            rules.WeekLine(week, service, monday, a, Decimal("353.08")),
            rules.WeekLine(week, service, monday, b, Decimal("300.00")),
            rules.WeekLine(week, service, monday, b, Decimal("3.03")),  # a second CPLI of the same client
            rules.WeekLine(other_week, service, date(2019, 10, 7), a, Decimal("0.01")),
        ],
        Decimal("0.2000"),
    )
    assert [(x.week_id, x.client_id, x.excl_vat, x.vat, x.total) for x in lines] == [
        (week, a, Decimal("353.08"), Decimal("70.62"), Decimal("423.70")),
        (week, b, Decimal("303.03"), Decimal("60.61"), Decimal("363.64")),
        (other_week, a, Decimal("0.01"), Decimal("0.00"), Decimal("0.01")),
    ]
    assert rules.sums(lines) == (Decimal("656.12"), Decimal("131.23"), Decimal("787.35"))
    credit = rules.credit_lines(lines)
    assert [(x.excl_vat, x.vat, x.total) for x in credit] == [
        (Decimal("-353.08"), Decimal("-70.62"), Decimal("-423.70")),
        (Decimal("-303.03"), Decimal("-60.61"), Decimal("-363.64")),
        (Decimal("-0.01"), Decimal("0.00"), Decimal("-0.01")),
    ]
    assert rules.sums(credit)[2] == Decimal("-787.35")


def test_weeks_must_be_given_each_once():
    with pytest.raises(Invalid) as none:
        rules.week_ids([])
    assert none.value.code == "no-weeks" and none.value.fields[0].field == "week_ids"
    one = uuid.uuid4()
    with pytest.raises(Invalid) as twice:
        rules.week_ids([one, uuid.uuid4(), one])
    assert twice.value.code == "duplicate-week"
    assert [f.field for f in twice.value.fields] == ["week_ids[2]"]


def test_a_reason_is_required_and_a_reference_is_short():
    assert rules.retraction_reason("  Wrong week \n") == "Wrong week"
    for blank in (None, "", "   "):
        with pytest.raises(Invalid) as refused:
            rules.retraction_reason(blank)
        assert refused.value.code == "reason-required"
    with pytest.raises(Invalid):
        rules.retraction_reason("x" * 501)
    assert rules.provider_reference("  ") is None and rules.provider_reference(" A1 ") == "A1"
    with pytest.raises(Invalid) as long:
        rules.provider_reference("x" * 101)
    assert long.value.fields[0].field == "provider_reference"
