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

import codecs
import csv
import io
import operator
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from actuals.domain.costs import Quantities, require_comment
from actuals.domain.weeks import week_to_enter
from shared.errors import FieldError, Invalid

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
TEXT_COLUMNS = ("file_reference", "service", "client_reference", "comment")
_QUANTITY_CELLS = operator.itemgetter(*QUANTITIES)


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
    read, faults = scan_import(data, today=today)
    if faults:
        raise FileRefused(faults)
    return read


def scan_import(data: bytes, *, today: date) -> tuple[ImportFile, list[Fault]]:
    """Every row read and every fault found, without stopping at the first faulty row. A fault of the
    whole file (not UTF-8, empty, the header) is raised at once."""
    reader = ImportReader(data, today=today)
    faults: list[Fault] = []
    rows: list[ImportRow] = []
    seen: dict[tuple[str, str, date], int] = {}
    for row, found in reader:
        faults += found
        if row is None:
            continue
        key = (row.service, row.client_reference, row.week)
        if key in seen:
            faults.append(Fault(row.row, None, f"repeats row {seen[key]} (same service, client and week)"))
            continue
        seen[key] = row.row
        rows.append(row)
    faults += reader.file_faults()
    return ImportFile(file_reference=reader.file_reference, rows=rows), faults


class ImportReader:
    """The rows of a file one at a time, each with its faults, holding neither the decoded text nor the
    rows read: a 50 MB file is read in the memory of a few rows (the bulk import streams it into the
    database). Duplicate rows are the caller's to find (`scan_import` keeps a set; the import handler
    asks the database). The file's own faults (not UTF-8, empty, the header) are raised on creation;
    `file_faults()` answers those only known at the end (no rows, file references that differ)."""

    def __init__(self, data: bytes, *, today: date) -> None:
        _check_utf8(data)
        self._text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
        self._reader = csv.reader(self._text)
        _check_header(next(self._reader, None))
        self._cells = _Cells(today)
        self.references: set[str] = set()
        self.rows_read = 0  # rows with content, faulty or not
        self.faulty_rows = 0

    @property
    def file_reference(self) -> str:
        return next(iter(self.references)) if len(self.references) == 1 else ""

    def __iter__(self) -> Iterator[tuple[ImportRow | None, list[Fault]]]:
        for number, cells in enumerate(self._reader, start=2):
            stripped = [cell.strip() for cell in cells]
            if not any(stripped):
                continue  # a blank line (Excel leaves them at the end)
            self.rows_read += 1
            if len(cells) != len(COLUMNS):
                self.faulty_rows += 1
                yield None, [Fault(number, None, f"has {len(cells)} cells, not {len(COLUMNS)}")]
                continue
            values = dict(zip(COLUMNS, stripped, strict=True))
            for column in TEXT_COLUMNS:
                if values[column][:1] == "'":
                    values[column] = unneutralise(values[column])
            self.references.add(values["file_reference"])
            found: list[Fault] = []
            row = _row(number, values, self._cells, found)
            if found:
                self.faulty_rows += 1
            yield row, found

    def file_faults(self) -> list[Fault]:
        faults = []
        if not self.rows_read:
            faults.append(Fault(2, None, "the file has a header but no rows"))
        if len(self.references) > 1 or "" in self.references:
            faults.append(
                Fault(2, "file_reference", "every row must carry the same file reference, not blank")
            )
        return faults


def peek_reference(data: bytes) -> str:
    """The checks made at upload, before the file is queued as a job: UTF-8, the header, at least one row;
    answers the first row's file reference (every row's is checked when the file is processed)."""
    _check_utf8(data)
    first = data[: 64 * 1024].decode("utf-8-sig", errors="ignore")  # the header and the first rows
    reader = csv.reader(io.StringIO(first, newline=""))
    _check_header(next(reader, None))
    for cells in reader:
        if any(cell.strip() for cell in cells):
            reference = unneutralise(cells[0].strip())
            if not reference:
                raise FileRefused(
                    [Fault(2, "file_reference", "is blank: every row carries the file reference")]
                )
            return reference
    raise FileRefused([Fault(2, None, "the file has a header but no rows")])


def _check_header(header: list[str] | None) -> None:
    if header is None or not any(cell.strip() for cell in header):
        raise FileRefused([Fault(1, None, "the file is empty")])
    if [cell.strip().lower() for cell in header] != list(COLUMNS):
        raise FileRefused([Fault(1, None, "the header must be: " + ",".join(COLUMNS))])


class _Cells:
    """The quantities and weeks of a file, each distinct text read once: a file of 100,000 rows holds a
    few hundred distinct values, and reading a number or a date is most of the cost of a row."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.quantities: dict[tuple[str, ...], Quantities | list[FieldError]] = {}
        self.weeks: dict[str, date | str] = {}

    def quantities_of(self, values: dict[str, str]) -> Quantities | list[FieldError]:
        key = _QUANTITY_CELLS(values)
        found = self.quantities.get(key)
        if found is None:
            try:
                found = Quantities.parse(
                    **{name: text or "0" for name, text in zip(QUANTITIES, key, strict=True)}
                )
            except Invalid as refused:
                found = list(refused.fields or [])
            self.quantities[key] = found
        return found

    def week_of(self, text: str) -> date | str:
        """The week, or the fault's message."""
        found = self.weeks.get(text)
        if found is None:
            found = self.weeks[text] = _week(text, self.today)
        return found


def _check_utf8(data: bytes) -> None:
    """Refused unless the whole file is UTF-8, naming the first byte that is not; read a megabyte at a
    time so that a large file is never held twice."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 20
    for start in range(0, len(data), step):
        try:
            decoder.decode(data[start : start + step], final=start + step >= len(data))
        except UnicodeDecodeError as bad:
            raise FileRefused(
                [
                    Fault(
                        1,
                        None,
                        f"the file is not UTF-8 text (byte {start + bad.start + 1}): save it as CSV UTF-8",
                    )
                ]
            ) from bad


def _row(number: int, values: dict[str, str], cells: _Cells, faults: list[Fault]) -> ImportRow | None:
    found: list[Fault] = []
    for column in ("service", "client_reference"):
        if not values[column]:
            found.append(Fault(number, column, "is blank"))
    week = cells.week_of(values["week_commencing"])
    if isinstance(week, str):
        found.append(Fault(number, "week_commencing", week))
    quantities = cells.quantities_of(values)
    if isinstance(quantities, list):
        found += [Fault(number, f.field, f.message) for f in quantities]
    else:
        try:
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
    if found or isinstance(week, str) or isinstance(quantities, list):
        return None
    return ImportRow(
        number, values["service"], values["client_reference"], week, quantities, visits, values["comment"]
    )


def _week(text: str, today: date) -> date | str:
    """The week commencing `text`, or why it is not one."""
    for pattern in DATE_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()
            break
        except ValueError:
            continue
    else:
        return f"{text[:20]!r} is not a date like 23/11/2026"
    if day.weekday() != 0:
        return f"{day:%d/%m/%Y} is not a Monday (the week's first day)"
    try:
        return week_to_enter(day, today=today)
    except Invalid as refused:
        return refused.fields[0].message if refused.fields else refused.detail


def neutralise(cell: str) -> str:
    """A cell as written to an exported CSV: one that a spreadsheet would run as a formula is quoted."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def unneutralise(cell: str) -> str:
    """A cell as read from an imported file: the quote `neutralise` put before a formula-looking cell is
    taken off again, so that an exported file imports back unchanged."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell
