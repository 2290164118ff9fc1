"""The financial year a claim is paid in: April to March (UK public sector), named "2026/2027"."""

from __future__ import annotations

from datetime import date

FIRST_MONTH = 4  # April


def financial_year(day: date) -> str:
    """The year (April to March) holding `day`: 31 March 2027 is in "2026/2027", 1 April 2027 in
    "2027/2028"."""
    start = day.year if day.month >= FIRST_MONTH else day.year - 1
    return f"{start}/{start + 1}"
