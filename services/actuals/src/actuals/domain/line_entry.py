"""A line of a week as the provider records it by hand (docs/actuals.md "Saving a line"): every fault of
one save named at once, in the form's order, so that a person fixes them in one go.

A figure that is not a number is named, and the rules that would need it are left out: a variance needs
a comment only when a figure that was read shows one, and a line whose figures come from its visits is
held to the figures that were read. A number refused for its step, sign or size still shows a variance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from actuals.domain.costs import (
    MOST_VISITS,
    RECORDED,
    Quantities,
    comment_fault,
    read_quantities,
    visits_fault,
)
from shared.errors import FieldError, Invalid, common_code
from shared.whole_numbers import whole_number

ORDER = ("actual", "planned", "frustrated", "missed", "extra", "visits", "comment")
FROM_VISITS = "comes from this line's visits: change the visits instead"


@dataclass(frozen=True)
class LineFigures:
    """What was typed for a line, as it came."""

    actual: object
    frustrated: object
    missed: object
    extra: object
    visits: object  # an int, a string of digits, or None (none recorded)
    comment: str


@dataclass(frozen=True)
class RecordedLine:
    quantities: Quantities
    visits: int | None
    comment: str


@dataclass(frozen=True)
class _Fault:
    field: str
    message: str
    code: str = "invalid-field"


def record_line(
    entry: LineFigures, *, planned: Decimal, fixed: Mapping[str, Decimal | int | None] | None = None
) -> RecordedLine:
    """The line's figures, or Invalid naming every fault. `fixed`: the figures of a line with recorded
    visits, which a save may not change (it may change the comment)."""
    given = {name: getattr(entry, name) for name in RECORDED}
    read, quantity_faults = read_quantities(**given, planned=planned)
    faults = [_Fault(f.field, f.message, "bad-quantity") for f in quantity_faults]
    visits, fault = read_visits(entry.visits)
    if fault:
        faults.append(_Fault("visits", fault))
    comment = entry.comment.strip()
    if fault := comment_fault(comment):
        faults.append(_Fault("comment", fault))
    faulty = {fault.field for fault in faults}
    if fixed is not None:
        known: dict[str, object] = {**read, "visits": visits}
        faults += [
            _Fault(name, FROM_VISITS, "from-visits")
            for name in (*RECORDED, "visits")
            if name not in faulty and known.get(name) != fixed.get(name)
        ]
    if not comment and "comment" not in faulty and _differs_from_plan(read):
        faults.append(_Fault("comment", "is required when delivery differs from plan", "comment-required"))
    if faults:
        raise _refusal(faults)
    return RecordedLine(Quantities(**read), visits, comment)


def read_visits(value: object) -> tuple[int | None, str | None]:
    """A line's count of visits (None: none recorded) and what is wrong with it (None: nothing)."""
    if value is None:
        return None, None
    if isinstance(value, str):
        number = whole_number(value, signed=True)  # a sign, so that a negative is named by the range
        if number is None:
            return None, f"must be a whole number from 0 to {MOST_VISITS} (not {value.strip()[:20]!r})"
        value = number
    if not isinstance(value, int):
        return None, f"must be a whole number from 0 to {MOST_VISITS}"
    return value, visits_fault(value)


def _differs_from_plan(read: Mapping[str, Decimal]) -> bool:
    """Whether the figures that were read differ from plan (a figure not read cannot show it)."""
    planned = read.get("planned")
    actual = read.get("actual")
    if planned is not None and actual is not None and actual != planned:
        return True
    return any(read.get(name) for name in ("frustrated", "missed", "extra"))


def _refusal(faults: list[_Fault]) -> Invalid:
    faults.sort(key=lambda fault: ORDER.index(fault.field))
    return Invalid.all_of(
        [FieldError(fault.field, fault.message) for fault in faults],
        code=common_code(fault.code for fault in faults),
    )
