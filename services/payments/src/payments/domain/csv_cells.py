"""Cells of the CSV files payments writes (remittance lines): a text cell that a spreadsheet would run as
a formula (OWASP "CSV injection") is written with a leading quote, as actuals' CPLI download does."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str | None) -> str:
    text = cell or ""
    return "'" + text if text.startswith(FORMULA_START) else text
