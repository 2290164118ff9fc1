"""How one value of a report reads, in a PDF or HTML cell and in a CSV cell; the totals row; the council's
branding; rows taken from an async or a plain iterable alike."""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from reports.domain.catalogue import Column, ReportDefinition

Row = Mapping[str, Any]
Rows = AsyncIterable[Row] | Iterable[Row]
DEFAULT_COLOUR = "#0b0c0c"  # GOV.UK black: a council without a colour of its own
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Branding:
    """The council a report is printed for: its name and its colour (`#rrggbb`), as identity publishes
    them (identity.authority.upserted, projected by reports)."""

    name: str
    colour: str = DEFAULT_COLOUR

    @property
    def safe_colour(self) -> str:
        """The colour, or GOV.UK black when it is not a `#rrggbb` colour (never trusted into a file)."""
        return self.colour if _HEX_COLOUR.fullmatch(self.colour) else DEFAULT_COLOUR

    @property
    def text_on_colour(self) -> str:
        """White or black, whichever reads on the colour (WCAG relative luminance)."""
        red, green, blue = (int(self.safe_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
        luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
        # Contrast with white is 1.05 / (L + 0.05); with black (L + 0.05) / 0.05: pick the larger.
        return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#0b0c0c"


class MissingColumn(KeyError):
    """A row without a value for one of the report's columns: the source and the definition disagree."""

    def __init__(self, report: str, key: str) -> None:
        super().__init__(f"the rows of report {report!r} have no {key!r} (a column of the report)")


def value_of(definition: ReportDefinition, column: Column, row: Row) -> Any:
    try:
        return row[column.key]
    except KeyError:
        raise MissingColumn(definition.key, column.key) from None


def decimal_of(value: Any) -> Decimal:
    """A money or number value as a Decimal; a float is refused (money is never a float)."""
    if isinstance(value, (bool, float)):
        raise TypeError(f"a report's amounts are Decimal, never {type(value).__name__}: {value!r}")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def shown(column: Column, value: Any) -> str:
    """The value as a person reads it in the PDF and the HTML view: £1,089.01, 30/09/2019."""
    if value is None:
        return ""
    if column.kind == "money":
        amount = decimal_of(value)
        return f"-£{-amount:,.2f}" if amount < 0 else f"£{amount:,.2f}"
    if column.kind == "number":
        return f"{decimal_of(value):,}"
    return plain(value)


def plain(value: Any) -> str:
    """A value of no declared kind (a document's heading fields) as a person reads it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return f"-£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"
    return str(value)


def for_csv(column: Column, value: Any) -> str:
    """The value as a spreadsheet reads it: amounts and numbers plain (1089.01, never a formula), dates
    ISO; text that a spreadsheet would take for a formula is neutralised with a leading apostrophe
    (OWASP CSV injection)."""
    if value is None:
        return ""
    if column.kind in ("money", "number"):
        amount = decimal_of(value)
        return f"{amount:.2f}" if column.kind == "money" else str(amount)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class Totals:
    """The sums of a report's total columns, kept as the rows go by (nothing else of the rows is kept)."""

    def __init__(self, definition: ReportDefinition) -> None:
        self.definition = definition
        self.sums = {c.key: Decimal(0) for c in definition.columns if c.total}

    def __bool__(self) -> bool:
        return bool(self.sums)

    def add(self, row: Row) -> None:
        for column in self.definition.columns:
            if column.total:
                value = value_of(self.definition, column, row)
                if value is not None:
                    self.sums[column.key] += decimal_of(value)

    def cells(self) -> list[str]:
        """The totals row as shown: "Total" in the first column, each sum under its column."""
        cells = [shown(c, self.sums[c.key]) if c.total else "" for c in self.definition.columns]
        if not self.definition.columns[0].total:
            cells[0] = "Total"
        return cells


async def each_row(rows: Rows) -> AsyncIterator[Row]:
    """The rows, whether they come from an async iterable (a database cursor) or a plain one."""
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            yield row
    else:
        for row in rows:
            yield row
