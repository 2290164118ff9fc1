"""The years reports are run over: a council's financial year (1 April to 31 March) and the tax year
(6 April to 5 April), each named by the calendar year it starts in (2019 for 2019/20)."""

from __future__ import annotations

from datetime import date


def financial_year(start_year: int) -> tuple[date, date]:
    """1 April to 31 March of the year that starts in `start_year`."""
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def tax_year(start_year: int) -> tuple[date, date]:
    """6 April to 5 April of the year that starts in `start_year`."""
    return date(start_year, 4, 6), date(start_year + 1, 4, 5)
