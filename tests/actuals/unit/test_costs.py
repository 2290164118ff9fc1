"""The cost rules of a week of actuals (DOMAIN.md "Actuals"), table-driven: the payment basis, the
frustrated and extras policies, a rate change inside the week, quarter-unit steps and the one rounding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from actuals.domain.costs import (
    CostPolicy,
    PaymentBasis,
    Quantities,
    RateChange,
    line_cost,
    read_quantity,
    require_comment,
)
from shared.errors import Invalid

MONDAY = date(2026, 11, 23)
HOME_CARE = [RateChange(date(2026, 4, 1), Decimal("17.0000"))]
ON_ACTUALS = CostPolicy(PaymentBasis.actuals)
ON_PLANNED = CostPolicy(PaymentBasis.planned)


@pytest.mark.parametrize(
    ("case", "quantities", "policy", "rates", "total", "planned_total"),
    [
        ("delivered as planned", dict(actual=10, planned=10), ON_ACTUALS, HOME_CARE, "170.00", "170.00"),
        (
            "pay on actuals pays what was delivered",
            dict(actual=7.5, planned=10, missed=2.5),
            ON_ACTUALS,
            HOME_CARE,
            "127.50",
            "170.00",
        ),
        # Seeds: Portal Nursing Home, "Band 4 - Single Room - Long Term" at £646.06 Weekly, pay on planned.
        (
            "pay on planned pays the plan",
            dict(actual=0.5, planned=1, missed=0.5),
            ON_PLANNED,
            [RateChange(date(2026, 4, 1), Decimal("646.0600"))],
            "646.06",
            "646.06",
        ),
        (
            "frustrated visits unpaid",
            dict(actual=8, planned=10, frustrated=2),
            ON_ACTUALS,
            HOME_CARE,
            "136.00",
            "170.00",
        ),
        (
            "frustrated visits paid",
            dict(actual=8, planned=10, frustrated=2),
            CostPolicy(PaymentBasis.actuals, pays_frustrated=True),
            HOME_CARE,
            "170.00",
            "170.00",
        ),
        ("extras paid", dict(actual=12, planned=10, extra=2), ON_ACTUALS, HOME_CARE, "204.00", "170.00"),
        (
            "extras not paid on this service type",
            dict(actual=12, planned=10, extra=2),
            CostPolicy(PaymentBasis.actuals, pays_extras=False),
            HOME_CARE,
            "170.00",
            "170.00",
        ),
        # 2.5 x 14.81 = 37.025: half-up to the penny once, at the line (banker's rounding would give 37.02).
        (
            "the one rounding is half-up at the line",
            dict(actual=2.5, planned=2.5),
            ON_ACTUALS,
            [RateChange(date(2026, 1, 1), Decimal("14.8100"))],
            "37.03",
            "37.03",
        ),
        # Mon-Wed at 14.00, Thu-Sun at 15.40: 10 units = 10/7 x (3 x 14.00 + 4 x 15.40) = 148.00.
        (
            "a rate change inside the week is pro-rated by day",
            dict(actual=10, planned=10),
            ON_ACTUALS,
            [
                RateChange(date(2026, 1, 1), Decimal("14.0000")),
                RateChange(date(2026, 11, 26), Decimal("15.4000")),
            ],
            "148.00",
            "148.00",
        ),
        ("nothing delivered costs nothing", dict(actual=0, planned=0), ON_ACTUALS, HOME_CARE, "0.00", "0.00"),
    ],
)
def test_the_cost_of_a_line(case, quantities, policy, rates, total, planned_total):
    cost = line_cost(Quantities.parse(**{k: str(v) for k, v in quantities.items()}), policy, rates, MONDAY)
    assert (cost.total, cost.planned_total) == (Decimal(total), Decimal(planned_total)), case
    assert cost.total.as_tuple().exponent == -2, "money to the penny"


def test_a_mid_week_change_shows_the_average_rate_marked_as_such():
    history = [
        RateChange(date(2026, 1, 1), Decimal("14.0000")),
        RateChange(date(2026, 11, 26), Decimal("15.4000")),
    ]
    changed = line_cost(Quantities.parse(actual="1", planned="1"), ON_ACTUALS, history, MONDAY)
    assert (changed.unit_rate, changed.averaged) == (Decimal("14.8000"), True)
    steady = line_cost(Quantities.parse(actual="1", planned="1"), ON_ACTUALS, HOME_CARE, MONDAY)
    assert (steady.unit_rate, steady.averaged) == (Decimal("17.0000"), False)
    # A change that starts the next Monday does not touch this week.
    later = [*HOME_CARE, RateChange(date(2026, 11, 30), Decimal("99.0000"))]
    assert line_cost(Quantities.parse(actual="1", planned="1"), ON_ACTUALS, later, MONDAY).averaged is False


def test_a_week_with_a_day_before_any_rate_is_refused_naming_the_day():
    with pytest.raises(Invalid, match="no rate on 2026-11-23"):
        line_cost(
            Quantities.parse(actual="1", planned="1"),
            ON_ACTUALS,
            [RateChange(date(2026, 11, 24), Decimal("17"))],
            MONDAY,
        )


@pytest.mark.parametrize("good", ["0", "0.25", "0.5", "0.75", "7", "37.25"])
def test_quantities_go_in_quarter_steps(good):
    assert read_quantity(good, field="actual") == (Decimal(good), None)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("0.3", "steps of 0.25"),
        ("1.1", "steps of 0.25"),
        ("-1", "cannot be negative"),
        ("ten", "not a number"),
        (1.5, "float"),
    ],
)
def test_bad_quantities_are_named(bad, message):
    _, fault = read_quantity(bad, field="actual")
    assert fault is not None and message in fault


@pytest.mark.parametrize("field", ["actual", "frustrated", "missed", "extra"])
def test_a_recorded_quantity_is_at_most_the_hours_of_a_week(field):
    assert getattr(Quantities.parse(planned="0", **{field: "168"}), field) == Decimal(168)
    with pytest.raises(Invalid) as refused:
        Quantities.parse(planned="0", **{field: "99999"})
    assert [(f.field, f.message) for f in refused.value.fields] == [
        (field, "must be at most 168 in a week (it is 99999)")
    ]


def test_the_councils_plan_is_not_bounded_by_the_week():
    """Planned is the council's plan (a CPLI's units per week): a line is never refused for it."""
    assert Quantities.parse(actual="0", planned="200").planned == Decimal(200)


def test_every_bad_quantity_of_a_line_is_named_at_once():
    with pytest.raises(Invalid) as refused:
        Quantities.parse(actual="0.3", planned="-1", extra="2")
    assert [f.field for f in refused.value.fields] == ["actual", "planned"]
    assert refused.value.code == "bad-quantity"


@pytest.mark.parametrize(
    ("quantities", "needed"),
    [
        (dict(actual="10", planned="10"), False),
        (dict(actual="9.75", planned="10"), True),
        (dict(actual="10", planned="10", frustrated="1"), True),
        (dict(actual="10", planned="10", missed="0.25"), True),
        (dict(actual="12", planned="10", extra="2"), True),
    ],
)
def test_a_comment_is_required_when_delivery_differs_from_plan(quantities, needed):
    line = Quantities.parse(**quantities)
    require_comment(line, "Client in hospital Tuesday")  # a comment always satisfies the rule
    if needed:
        with pytest.raises(Invalid, match="comment") as refused:
            require_comment(line, "   ")
        assert refused.value.fields[0].field == "comment"
    else:
        require_comment(line, None)
