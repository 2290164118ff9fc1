"""The bulk-import file of actuals, read and checked as plain rules (no database: whether a client exists
and is in the user's scope is the handler's check, row by row, after this one).

The file is CSV in UTF-8 (a byte-order mark and Excel's CRLF line ends are accepted), with this header:

    file_reference,service,client_reference,week_commencing,actual,planned,frustrated,missed,extra,visits,comment

Every row is checked and every fault is kept with its row (the header is row 1) and column, so a provider
sees all of them at once; a file with any fault imports nothing. Every row carries the same file
reference (a file imported before is refused by the handler as a duplicate). Cells are kept as text: a
cell that looks like a spreadsheet formula (`=cmd|...`) is stored as it is and neutralised on export.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from actuals.domain.costs import Quantities, require_comment
from actuals.domain.weeks import week_to_enter
from shared.errors import Invalid

COLUMNS = (
    "file_reference",
    "service",
    "client_reference",
    "week_commencing",
    "actual",
    "planned",
    "frustrated",
    "missed",
    "extra",
    "visits",
    "comment",
)
QUANTITIES = ("actual", "planned", "frustrated", "missed", "extra")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Fault:
    row: int  # the header is row 1
    column: str | None  # None: the whole file or the whole row
    message: str


@dataclass(frozen=True)
class ImportRow:
    row: int
    service: str
    client_reference: str
    week: date
    quantities: Quantities
    visits: int | None
    comment: str


@dataclass(frozen=True)
class ImportFile:
    file_reference: str
    rows: list[ImportRow]


class FileRefused(Invalid):
    """The file has faults: every one of them, in file order."""

    def __init__(self, faults: list[Fault]) -> None:
        shown = "; ".join(f"row {f.row}{f' {f.column}' if f.column else ''}: {f.message}" for f in faults[:3])
        more = f" (and {len(faults) - 3} more)" if len(faults) > 3 else ""
        super().__init__(f"the file was not imported: {shown}{more}", code="import-refused")
        self.faults = faults


def read_import(data: bytes, *, today: date) -> ImportFile:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise FileRefused([Fault(1, None, "the file is empty")])
    if [cell.strip().lower() for cell in header] != list(COLUMNS):
        raise FileRefused([Fault(1, None, "the header must be: " + ",".join(COLUMNS))])
    faults: list[Fault] = []
    rows: list[ImportRow] = []
    references: set[str] = set()
    seen: dict[tuple[str, str, date], int] = {}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line (Excel leaves them at the end)
        if len(cells) != len(COLUMNS):
            faults.append(Fault(number, None, f"has {len(cells)} cells, not {len(COLUMNS)}"))
            continue
        values = dict(zip(COLUMNS, (cell.strip() for cell in cells), strict=True))
        references.add(values["file_reference"])
        row = _row(number, values, today, faults)
        if row is None:
            continue
        key = (row.service, row.client_reference, row.week)
        if key in seen:
            faults.append(Fault(number, None, f"repeats row {seen[key]} (same service, client and week)"))
            continue
        seen[key] = number
        rows.append(row)
    if not rows and not faults:
        faults.append(Fault(2, None, "the file has a header but no rows"))
    if len(references) > 1 or "" in references:
        faults.append(Fault(2, "file_reference", "every row must carry the same file reference, not blank"))
    if faults:
        raise FileRefused(faults)
    return ImportFile(file_reference=references.pop(), rows=rows)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        raise FileRefused(
            [Fault(1, None, f"the file is not UTF-8 text (byte {bad.start + 1}): save it as CSV UTF-8")]
        ) from bad


def _row(number: int, values: dict[str, str], today: date, faults: list[Fault]) -> ImportRow | None:
    found: list[Fault] = []
    for column in ("service", "client_reference"):
        if not values[column]:
            found.append(Fault(number, column, "is blank"))
    week = _week(values["week_commencing"], today, number, found)
    quantities = None
    try:
        quantities = Quantities.parse(**{name: values[name] or "0" for name in QUANTITIES})
        require_comment(quantities, values["comment"])
    except Invalid as refused:
        found += [Fault(number, f.field, f.message) for f in refused.fields or []]
    visits = None
    if values["visits"]:
        if not values["visits"].isdigit():
            found.append(Fault(number, "visits", f"{values['visits'][:20]!r} is not a whole number"))
        else:
            visits = int(values["visits"])
    faults += found
    if found or week is None or quantities is None:
        return None
    return ImportRow(
        number, values["service"], values["client_reference"], week, quantities, visits, values["comment"]
    )


def _week(text: str, today: date, number: int, found: list[Fault]) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()
            break
        except ValueError:
            continue
    else:
        found.append(Fault(number, "week_commencing", f"{text[:20]!r} is not a date like 23/11/2026"))
        return None
    if day.weekday() != 0:
        found.append(
            Fault(number, "week_commencing", f"{day:%d/%m/%Y} is not a Monday (the week's first day)")
        )
        return None
    try:
        return week_to_enter(day, today=today)
    except Invalid as refused:
        found.append(
            Fault(number, "week_commencing", refused.fields[0].message if refused.fields else refused.detail)
        )
        return None


def neutralise(cell: str) -> str:
    """A cell as written to an exported CSV: one that a spreadsheet would run as a formula is quoted."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell
