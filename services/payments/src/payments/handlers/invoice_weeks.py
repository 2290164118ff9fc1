"""Why weeks cannot go on a new invoice: each week named by its place in the request ("week_ids[2]"),
every problem at once."""

from __future__ import annotations

import uuid

from payments.store.weeks import WeekRow
from shared.errors import Conflict, FieldError, Invalid


def week_problems(contract_id: uuid.UUID, given: list[uuid.UUID], found: list[WeekRow]) -> list[FieldError]:
    """Why each week cannot be invoiced (unknown or another's, another contract, not confirmed)."""
    by_id = {w.week_id: w for w in found}
    problems = []
    for n, week_id in enumerate(given):
        field = f"week_ids[{n}]"
        week = by_id.get(week_id)
        if week is None:
            problems.append(FieldError(field, f"there is no confirmed week {week_id} that you can see"))
        elif week.contract_id != contract_id:
            problems.append(
                FieldError(
                    field,
                    f"the week of {week.week_commencing:%d/%m/%Y} is of another contract"
                    f" ({week.contract_reference}): an invoice is for one contract",
                )
            )
        elif not week.confirmed:
            problems.append(
                FieldError(
                    field,
                    f"the week of {week.week_commencing:%d/%m/%Y} is not confirmed"
                    " (it was unlocked): confirm it again first",
                )
            )
    return problems


def refuse(problems: list[FieldError], code: str) -> Invalid:
    return Invalid.all_of(problems, code=code)


def already_invoiced(given: list[uuid.UUID], found: list[WeekRow]) -> Conflict | None:
    taken = [
        FieldError(
            f"week_ids[{n}]",
            f"the week of {w.week_commencing:%d/%m/%Y} is already on invoice {w.invoice_number}",
        )
        for n, week_id in enumerate(given)
        for w in found
        if w.week_id == week_id and w.invoice_number is not None
    ]
    if not taken:
        return None
    return Conflict.all_of(taken, code="week-invoiced")
