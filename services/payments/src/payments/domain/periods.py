"""Financial years and VAT: pure rules every part of payments uses (DOMAIN.md "Payments")."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from shared.errors import Invalid
from shared.money import PENNY, to_money, to_rate

YEAR = re.compile(r"(\d{4})/(\d{4})")


def financial_year(day: date) -> str:
    """The council's year (1 April to 31 March) a day falls in: '2019/2020' for 30 September 2019."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{first + 1}"


def year_bounds(year: str) -> tuple[date, date]:
    """First and last day of a financial year written '2019/2020'; otherwise 422 invalid-year at the
    field financial_year (every API that takes a year answers the same)."""
    found = YEAR.fullmatch(year.strip())
    if not found or int(found[2]) != int(found[1]) + 1 or int(found[1]) < date.min.year:
        raise Invalid.field(
            "financial_year", f"{year[:20]!r} is not a financial year such as 2019/2020", code="invalid-year"
        )
    first = int(found[1])
    return date(first, 4, 1), date(first + 1, 3, 31)


def vat_of(excl_vat: Decimal, rate: Decimal) -> Decimal:
    """VAT on an amount at the contract's rate (0.2000 for 20%), rounded half-up to the penny once, at
    the line (shared.money's rule). Any amount of money (under £10bn): not `line_total`, whose units stop
    at 100m."""
    exact = to_money(excl_vat, field="excl_vat") * to_rate(rate, field="vat_rate")  # 24 digits at most: exact
    return to_money(exact.quantize(PENNY, rounding=ROUND_HALF_UP), field="vat")
