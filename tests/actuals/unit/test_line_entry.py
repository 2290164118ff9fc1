"""A line recorded by hand: every fault of one save at once, in the form's order; a rule whose figure could
not be read is left out; a line with recorded visits keeps their figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actuals.domain.line_entry import LineFigures, read_visits, record_line
from shared.errors import Invalid

PLANNED = Decimal(10)


def figures(**changes: object) -> LineFigures:
    given: dict[str, object] = dict(
        actual="10", frustrated="0", missed="0", extra="0", visits=None, comment=""
    )
    return LineFigures(**{**given, **changes})


def faults(entry: LineFigures, **options: object) -> list[tuple[str, str]]:
    with pytest.raises(Invalid) as refused:
        record_line(entry, planned=PLANNED, **options)
    return [(f.field, f.message) for f in refused.value.fields or []]


def test_a_line_as_planned_or_with_a_variance_explained_is_recorded():
    assert record_line(figures(visits="12"), planned=PLANNED).visits == 12
    recorded = record_line(figures(actual="9.5", missed="0.5", comment=" Ill "), planned=PLANNED)
    assert (recorded.quantities.actual, recorded.quantities.missed) == (Decimal("9.5"), Decimal("0.5"))
    assert recorded.comment == "Ill" and recorded.visits is None


def test_every_fault_is_named_at_once_in_the_forms_order():
    entry = figures(actual="9.3", frustrated="x", visits="many", comment="")
    assert faults(entry) == [
        ("actual", "goes in steps of 0.25 (9.3 is not one)"),
        ("frustrated", "'x' is not a number (write digits, e.g. 58.05)"),
        ("visits", "must be a whole number from 0 to 1000 (not 'many')"),
        ("comment", "is required when delivery differs from plan"),
    ]
    long = faults(figures(extra="-1", visits=1001, comment="y" * 1001))
    assert [field for field, _ in long] == ["extra", "visits", "comment"]


def test_the_comment_rule_is_left_out_when_only_an_unread_figure_could_show_a_variance():
    assert faults(figures(extra="?")) == [("extra", "'?' is not a number (write digits, e.g. 58.05)")]
    assert [field for field, _ in faults(figures(actual="", missed="1"))] == ["actual", "comment"]


@pytest.mark.parametrize(
    ("faulty", "code"),
    [
        (dict(actual="x"), "bad-quantity"),
        (dict(actual="9"), "comment-required"),
        (dict(visits="x"), "invalid-field"),
        (dict(actual="x", visits="x"), "invalid-fields"),
    ],
)
def test_one_kind_of_fault_keeps_its_code(faulty, code):
    with pytest.raises(Invalid) as refused:
        record_line(figures(**faulty), planned=PLANNED)
    assert refused.value.code == code


def test_a_line_with_recorded_visits_may_change_its_comment_only():
    fixed = {
        "actual": Decimal("9.5"),
        "frustrated": Decimal(0),
        "missed": Decimal("0.5"),
        "extra": Decimal(0),
    }
    fixed["visits"] = 4
    kept = figures(actual="9.50", missed="0.5", visits=4, comment="New words")
    assert record_line(kept, planned=PLANNED, fixed=fixed).comment == "New words"
    changed = figures(actual="9", missed="x", visits="5", comment="Why")
    assert faults(changed, fixed=fixed) == [
        ("actual", "comes from this line's visits: change the visits instead"),
        ("missed", "'x' is not a number (write digits, e.g. 58.05)"),
        ("visits", "comes from this line's visits: change the visits instead"),
    ]


@pytest.mark.parametrize(
    ("given", "read"),
    [
        (None, (None, None)),
        (7, (7, None)),
        (" 12 ", (12, None)),
        ("-1", (-1, "must be a whole number from 0 to 1000 (it is -1)")),
        ("1.5", (None, "must be a whole number from 0 to 1000 (not '1.5')")),
        (1.5, (None, "must be a whole number from 0 to 1000")),
        ("9" * 5000, (None, "must be a whole number from 0 to 1000 (not '99999999999999999999')")),
    ],
)
def test_a_count_of_visits_is_read_from_an_int_or_its_digits(given, read):
    assert read_visits(given) == read
