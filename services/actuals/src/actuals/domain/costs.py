"""What a week of delivered care costs (DOMAIN.md "Actuals"), as plain rules.

- Quantities are in steps of 0.25 of the service level's unit, never negative. What the provider records
  (actual, frustrated, missed, extra) is at most 168, the hours of a week and more than a week holds in
  any unit (7 nights, 1 week): a slip of the keyboard (99999) is refused, not paid. Planned is the
  council's plan and is not bounded here.
- A comment is required whenever delivery differs from plan.
- The payable units follow the contract's payment basis: on actuals, the delivered units (less extras
  where the contract does not pay extras) plus the frustrated ones where it pays frustrated visits; on
  planned, the planned units.
- The unit rate is the service level's rate on each day of the week. When it changed inside the week the
  cost is pro-rated by day (each day carries a seventh of the week's units at that day's rate) and the
  rate shown is the week's average, marked "(avg price)".
- One rounding: half-up to the penny, once, at the line (shared.money); totals are exact sums of lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from shared.errors import FieldError, Invalid
from shared.money import PENNY, MoneyError, line_total, to_money, to_rate, to_units

STEP = Decimal("0.25")
WEEK_MOST = Decimal(168)  # the hours of a week: no unit (hours, nights, weeks) holds more in one
RECORDED = ("actual", "frustrated", "missed", "extra")  # what the provider records (planned: the plan's)
DAYS = 7
RATE_PLACES = Decimal("0.0001")


class PaymentBasis(StrEnum):
    actuals = "actuals"  # pay what was delivered
    planned = "planned"  # pay what was planned (e.g. a care home's weekly bed)


@dataclass(frozen=True)
class CostPolicy:
    """The contract's payment basis, and whether it pays frustrated visits and extras (per service type)."""

    basis: PaymentBasis
    pays_frustrated: bool = False
    pays_extras: bool = True


@dataclass(frozen=True)
class Quantities:
    """One line of a week: what was delivered (actual), planned, frustrated, missed and extra."""

    actual: Decimal
    planned: Decimal
    frustrated: Decimal = Decimal(0)
    missed: Decimal = Decimal(0)
    extra: Decimal = Decimal(0)

    @classmethod
    def parse(cls, **given: object) -> Quantities:
        """Each quantity checked (a number, not negative, in steps of 0.25; a recorded one at most a
        week's 168); every fault named at once."""
        values, faults = read_quantities(**given)
        if faults:
            raise Invalid.all_of(faults, code="bad-quantity")
        return cls(**values)

    @property
    def differs_from_plan(self) -> bool:
        return self.actual != self.planned or any((self.frustrated, self.missed, self.extra))


def read_quantities(**given: object) -> tuple[dict[str, Decimal], list[FieldError]]:
    """Every quantity read, without stopping at a fault: the numbers read (a number refused for its step,
    sign or size too, so that the rules about the line can still judge it) and every fault."""
    values: dict[str, Decimal] = {}
    faults: list[FieldError] = []
    for name in ("actual", "planned", "frustrated", "missed", "extra"):
        units, fault = read_quantity(given.get(name, 0), field=name)
        if units is not None:
            values[name] = units
        if fault is None and name in RECORDED and units is not None and units > WEEK_MOST:
            fault = f"must be at most {WEEK_MOST} in a week (it is {units})"
        if fault is not None:
            faults.append(FieldError(name, fault))
    return values, faults


def read_quantity(value: object, *, field: str) -> tuple[Decimal | None, str | None]:
    """The number of units `value` holds (None: it holds none) and what is wrong with it as a quantity, a
    number in steps of 0.25 and never negative (None: nothing)."""
    try:
        units = to_units(value, field=field)
    except MoneyError as refused:  # named at its field, like every other fault of a line
        return None, refused.detail.removeprefix(f"{field}: ")
    if units < 0:
        return units, f"cannot be negative (it is {units})"
    if units % STEP:
        return units, f"goes in steps of 0.25 ({units} is not one)"
    return units, None


MOST_COMMENT = 1000  # characters of a line's comment
MOST_VISITS = 1000  # a line's count of visits in a week


def comment_fault(comment: str) -> str | None:
    """What is wrong with a line's comment (already stripped), or None: by hand and in an import alike."""
    if "\x00" in comment:  # PostgreSQL text cannot hold it
        return "must not contain a NUL character"
    if len(comment) > MOST_COMMENT:
        return f"must be {MOST_COMMENT:,} characters or fewer (it has {len(comment):,})"
    return None


def visits_fault(visits: int) -> str | None:
    """What is wrong with a line's count of visits, or None."""
    if not 0 <= visits <= MOST_VISITS:
        return f"must be a whole number from 0 to {MOST_VISITS} (it is {visits})"
    return None


def require_comment(quantities: Quantities, comment: str | None) -> None:
    """A line whose delivery differs from plan needs a comment saying why."""
    if quantities.differs_from_plan and not (comment or "").strip():
        raise Invalid.field("comment", "is required when delivery differs from plan", code="comment-required")


def payable_units(quantities: Quantities, policy: CostPolicy) -> Decimal:
    if policy.basis is PaymentBasis.planned:
        return quantities.planned
    units = quantities.actual
    if not policy.pays_extras:
        units -= min(quantities.extra, units)
    if policy.pays_frustrated:
        units += quantities.frustrated
    return units


@dataclass(frozen=True)
class RateChange:
    """The service level's unit rate from `effective_from` on (until the next change)."""

    effective_from: date
    rate: Decimal


def daily_rates(history: Sequence[RateChange], week_start: date) -> list[Decimal]:
    """The rate in force on each of the week's seven days; refused when a day has none."""
    ordered = sorted(history, key=lambda change: change.effective_from)
    rates = []
    for offset in range(DAYS):
        day = week_start + timedelta(days=offset)
        in_force = [change.rate for change in ordered if change.effective_from <= day]
        if not in_force:
            raise Invalid.field("rate", f"the service level has no rate on {day.isoformat()}", code="no-rate")
        rates.append(to_rate(in_force[-1]))
    return rates


@dataclass(frozen=True)
class LineCost:
    total: Decimal  # what the line is paid, to the penny
    planned_total: Decimal  # the planned units at the same rates (the footer's "of £y")
    unit_rate: Decimal  # the rate shown, to 4 places
    averaged: bool  # the rate changed inside the week: shown "(avg price)"


def cost_of(units: Decimal, rates: Sequence[Decimal]) -> Decimal:
    """units at one rate, or pro-rated by day over the week's rates: exact, then one rounding."""
    if len(set(rates)) == 1:
        return line_total(units, rates[0])
    exact = units * sum(rates, Decimal(0)) / DAYS
    return to_money(exact.quantize(PENNY, rounding=ROUND_HALF_UP), field="line total")


def line_cost(
    quantities: Quantities, policy: CostPolicy, history: Sequence[RateChange], week_start: date
) -> LineCost:
    rates = daily_rates(history, week_start)
    averaged = len(set(rates)) > 1
    shown = (sum(rates, Decimal(0)) / DAYS).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    return LineCost(
        total=cost_of(payable_units(quantities, policy), rates),
        planned_total=cost_of(quantities.planned, rates),
        unit_rate=shown,
        averaged=averaged,
    )
