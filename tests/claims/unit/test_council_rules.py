"""The council's rules without I/O: a claimable level's checks, and a decision's items (included when
accepted unless listed otherwise, none when rejected, at least one when accepted, only the claim's own,
each once)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from claims.domain.decision import ItemDecision, item_decisions
from claims.domain.levels import level_faults
from shared.errors import Invalid

A, B, C = (uuid.uuid4() for _ in range(3))
APRIL = date(2026, 4, 1)


def test_a_good_level_has_no_faults():
    assert (
        level_faults(0, unit_cost=Decimal("0.3870"), effective_from=APRIL, effective_to=None, providers=None)
        == []
    )
    assert level_faults(0, unit_cost=None, effective_from=APRIL, effective_to=APRIL, providers=[A]) == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"unit_cost": Decimal("0")}, "unit_cost"),
        ({"unit_cost": Decimal("-1")}, "unit_cost"),
        ({"effective_to": date(2026, 3, 31)}, "effective_to"),
        ({"providers": []}, "providers"),
        ({"providers": [A, B, A]}, "providers.2"),
    ],
)
def test_each_bad_level_is_a_fault_naming_its_field(options, field):
    given = {"unit_cost": Decimal("0.387"), "effective_from": APRIL, "effective_to": None, "providers": None}
    faults = level_faults(7, **{**given, **options})
    assert [(f.index, f.field) for f in faults] == [(7, field)]


def test_items_not_listed_are_included_when_accepted():
    decided = item_decisions("accepted", [A, B, C], [ItemDecision(B, False, " Not claimable ")])
    assert decided == [
        ItemDecision(A, True, None),
        ItemDecision(B, False, "Not claimable"),
        ItemDecision(C, True, None),
    ]


def test_a_rejection_includes_no_item_but_keeps_the_notes():
    decided = item_decisions("rejected", [A, B], [ItemDecision(A, True, "Receipt unreadable")])
    assert decided == [ItemDecision(A, False, "Receipt unreadable"), ItemDecision(B, False, None)]


def test_an_acceptance_includes_at_least_one_item():
    with pytest.raises(Invalid) as refused:
        item_decisions("accepted", [A, B], [ItemDecision(A, False, None), ItemDecision(B, False, None)])
    assert [f.field for f in refused.value.fields or []] == ["items"]


def test_only_the_claim_s_items_each_once():
    with pytest.raises(Invalid) as refused:
        item_decisions(
            "accepted",
            [A, B],
            [ItemDecision(C, True, None), ItemDecision(A, True, None), ItemDecision(A, False, None)],
        )
    assert [f.field for f in refused.value.fields or []] == ["items.0.item_id", "items.2.item_id"]
