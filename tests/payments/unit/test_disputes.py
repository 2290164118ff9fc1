"""What a dispute may name (payments.domain.disputes), without I/O."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from payments.domain.disputes import dispute_reason, lines_to_dispute
from shared.errors import Conflict, Invalid
from shared.events import PaymentLineState


def line(status: str = "payable") -> PaymentLineState:
    return PaymentLineState(
        line_id=uuid.uuid4(),
        source="planned",
        purchase_order_id=uuid.uuid4(),
        purchase_order_number="PO-1",
        service_start=date(2019, 9, 30),
        service_end=date(2019, 10, 6),
        adjustment=False,
        excl_vat=Decimal("353.08"),
        vat=Decimal("0.00"),
        total=Decimal("353.08"),
        status=status,
    )


def test_none_named_is_every_payable_line():
    lines = [line(), line("disputed"), line()]
    assert lines_to_dispute(lines, []) == [lines[0].line_id, lines[2].line_id]


def test_nothing_left_to_dispute_is_a_conflict():
    with pytest.raises(Conflict) as refused:
        lines_to_dispute([line("disputed"), line("held")], [])
    assert refused.value.code == "nothing-to-dispute"


def test_each_named_line_is_of_the_payment_once_and_payable():
    lines = [line(), line("disputed")]
    assert lines_to_dispute(lines, [lines[0].line_id]) == [lines[0].line_id]
    stranger = uuid.uuid4()
    with pytest.raises(Invalid) as unknown:
        lines_to_dispute(lines, [stranger])
    assert unknown.value.code == "unknown-line" and str(stranger) in unknown.value.detail
    with pytest.raises(Invalid) as twice:
        lines_to_dispute(lines, [lines[0].line_id, lines[0].line_id])
    assert twice.value.code == "duplicate-line"
    with pytest.raises(Conflict) as again:
        lines_to_dispute(lines, [lines[1].line_id])
    assert again.value.code == "line-already-disputed"


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_a_dispute_says_why(reason):
    with pytest.raises(Invalid) as refused:
        dispute_reason(reason)
    assert refused.value.fields and refused.value.fields[0].field == "reason"


def test_a_reason_is_trimmed_and_at_most_1000_characters():
    assert dispute_reason("  Bart left on 3 October ") == "Bart left on 3 October"
    assert dispute_reason("x" * 1000) == "x" * 1000
    with pytest.raises(Invalid):
        dispute_reason("x" * 1001)
