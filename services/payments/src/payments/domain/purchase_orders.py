"""What a purchase order is worth (docs/purchase-orders.md, "Value and spend to date"): pure rules.

Spend to date is what finalised runs paid on the order (its payable lines, excluding VAT). The value adds
what is still to come in the order's financial year if the placement continues: for each of the client's
authorised CPLIs on the service, its weekly cost pro rata by day, from the day after the last service day
paid (or the year's, or the CPLI's, first day) to the CPLI's end or 31 March, whichever is first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from shared.money import PENNY

DAYS_A_WEEK = Decimal(7)


@dataclass(frozen=True)
class Commissioned:
    """What one authorised CPLI costs a week, and while it lasts."""

    cost: Decimal
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class StillToCome:
    """The projected rest of the year: from `first` to `last` (None when nothing is still to come)."""

    first: date | None
    last: date | None
    amount: Decimal


def still_to_come(
    commissioned: list[Commissioned], *, last_paid: date | None, year: tuple[date, date]
) -> StillToCome:
    """Each CPLI's cost x days / 7 for the unpaid rest of the year, rounded half-up to the penny per CPLI."""
    year_start, year_end = year
    after_paid = last_paid + timedelta(days=1) if last_paid is not None else year_start
    amount = Decimal("0.00")
    firsts: list[date] = []
    lasts: list[date] = []
    for cpli in commissioned:
        first = max(year_start, cpli.start_date, after_paid)
        last = min(year_end, cpli.end_date or year_end)
        days = (last - first).days + 1
        if days <= 0:
            continue
        amount += (cpli.cost * days / DAYS_A_WEEK).quantize(PENNY, rounding=ROUND_HALF_UP)
        firsts.append(first)
        lasts.append(last)
    if not firsts:
        return StillToCome(None, None, Decimal("0.00"))
    return StillToCome(min(firsts), max(lasts), amount)


def order_title(*, kind: str, year: str, client_name: str | None, client_reference: str | None) -> str:
    """'Simpson, Bart (C2000020) - 2019/2020', or 'One-Off Claims - 2019/2020' (seed 004)."""
    if kind == "one_off_claims":
        return f"One-Off Claims - {year}"
    return f"{client_name or 'Unknown client'} ({client_reference or '-'}) - {year}"
