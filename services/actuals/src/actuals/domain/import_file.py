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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from actuals.domain.costs import Quantities, comment_fault, require_comment
from actuals.domain.line_entry import read_visits
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
TEXT_COLUMNS = ("file_reference", "service", "client_reference", "comment")
# A row's cells are read by position (a dict per row costs more than the rest of the row).
_REFERENCE, _SERVICE, _CLIENT, _WEEK, _VISITS, _COMMENT = (
    COLUMNS.index(c)
    for c in ("file_reference", "service", "client_reference", "week_commencing", "visits", "comment")
)
_TEXT_INDEXES = tuple(COLUMNS.index(c) for c in TEXT_COLUMNS)
_QUANTITY_INDEXES = tuple(COLUMNS.index(c) for c in QUANTITIES)


@dataclass(frozen=True)
class Fault:
    row: int  # the header is row 1
    column: str | None  # None: the whole file or the whole row
    message: str


class ImportRow(NamedTuple):
    """A checked row (a tuple: a file has hundreds of thousands, and a frozen dataclass costs more)."""

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
        self.references: dict[str, None] = {}  # each file reference seen, in the order first seen
        self._odd_reference_rows: list[int] = []  # a row whose reference is blank or not the first's
        self.rows_read = 0  # rows with content, faulty or not
        self.faulty_rows = 0

    @property
    def file_reference(self) -> str:
        return next(iter(self.references)) if len(self.references) == 1 else ""

    def __iter__(self) -> Iterator[tuple[ImportRow | None, list[Fault]]]:
        width = len(COLUMNS)
        references = self.references
        for number, cells in enumerate(_csv_rows(self._reader), start=2):
            values = list(map(str.strip, cells))
            if not any(values):
                continue  # a blank line (Excel leaves them at the end)
            self.rows_read += 1
            if len(cells) != width:
                self.faulty_rows += 1
                yield None, [Fault(number, None, f"has {len(cells)} cells, not {width}")]
                continue
            for index in _TEXT_INDEXES:
                if values[index][:1] == "'":
                    values[index] = unneutralise(values[index])
            reference = values[_REFERENCE]
            if reference not in references:
                references[reference] = None
                if len(references) > 1 or not reference:
                    self._odd_reference_rows.append(number)  # the first row of each other reference
            found: list[Fault] = []
            row = _row(number, values, self._cells, found)
            if found:
                self.faulty_rows += 1
            yield row, found

    def file_faults(self) -> list[Fault]:
        faults = []
        if not self.rows_read:
            faults.append(Fault(2, None, "the file has a header but no rows"))
        first = next(iter(self.references), "")  # the first row's
        said = f" ({first!r})" if first and len(self.references) > 1 else ""
        for row in self._odd_reference_rows[:100]:  # named where each other reference starts
            message = f"every row must carry the same file reference{said}, not blank"
            faults.append(Fault(row, "file_reference", message))
        return faults


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    """The reader's rows; a row the csv module cannot read (a cell over its limit, which a quote left open
    makes of the rest of the file) refuses the file, naming the row where it starts."""
    row = 1
    try:
        for cells in reader:
            row += 1
            yield cells
    except csv.Error as bad:
        why = str(bad)
        if "field larger than field limit" in why:
            why = f"a cell is longer than {csv.field_size_limit():,} characters (is a quote left open?)"
        raise FileRefused([Fault(row + 1, None, f"cannot be read as CSV: {why}")]) from bad


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
    """The week, quantities, visits and comment rule of a file's rows, each distinct combination of those
    cells checked once: a file of 100,000 rows holds a few hundred, and checking them is most of the cost
    of a row. The comment matters to the rules only by being blank or not."""

    LIMIT = 20_000  # distinct combinations kept: beyond, a row is checked on its own (memory stays bounded)

    def __init__(self, today: date) -> None:
        self.today = today
        self.checked: dict[tuple[str | bool, ...], _Checked] = {}
        # One Quantities object per distinct quantity cells: the import handler costs each once, by identity.
        self.quantities: dict[tuple[str, ...], Quantities | list[tuple[str | None, str]]] = {}

    def check(self, values: list[str]) -> _Checked:
        key: tuple[str | bool, ...] = (*values[_WEEK : _VISITS + 1], not values[_COMMENT])
        found = self.checked.get(key)
        if found is None:
            found = _check_cells(values, self.today, self.quantities)
            if len(self.checked) < self.LIMIT:
                self.checked[key] = found
        return found


# (week, quantities, visits, the faults as (column, message)): what the cells after the client say.
_Checked = tuple[date | None, Quantities | None, int | None, tuple[tuple[str | None, str], ...]]


def _check_cells(
    values: list[str], today: date, known: dict[tuple[str, ...], Quantities | list[tuple[str | None, str]]]
) -> _Checked:
    found: list[tuple[str | None, str]] = []
    week = _week(values[_WEEK], today)
    if isinstance(week, str):
        found.append(("week_commencing", week))
    cells = tuple(values[i] for i in _QUANTITY_INDEXES)
    parsed = known.get(cells)
    if parsed is None:
        try:
            parsed = Quantities.parse(
                **{name: text or "0" for name, text in zip(QUANTITIES, cells, strict=True)}
            )
        except Invalid as refused:
            parsed = [(f.field, f.message) for f in refused.fields or []]
        known[cells] = parsed
    quantities: Quantities | None = None
    if isinstance(parsed, list):
        found += parsed
    else:
        quantities = parsed
        try:
            require_comment(quantities, values[_COMMENT])
        except Invalid as refused:
            found += [(f.field, f.message) for f in refused.fields or []]
    # A count of visits read as the line form reads it (its words too): blank is none recorded.
    visits, fault = read_visits(values[_VISITS] or None)
    if fault:
        found.append(("visits", fault))
        visits = None
    return (None if isinstance(week, str) else week), quantities, visits, tuple(found)


def _check_utf8(data: bytes) -> None:
    """Refused unless the whole file is UTF-8 text without a NUL (which PostgreSQL's text cannot hold),
    naming the row and byte of the first fault; read a megabyte at a time so that a large file is never
    held twice."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 20
    for start in range(0, len(data), step):
        try:
            decoder.decode(data[start : start + step], final=start + step >= len(data))
        except UnicodeDecodeError as bad:
            at = start + bad.start
            message = f"the file is not UTF-8 text (byte {at + 1}): save it as CSV UTF-8"
            raise FileRefused([Fault(_row_at(data, at), None, message)]) from bad
    at = data.find(b"\x00")
    if at >= 0:
        message = f"contains a NUL character (byte {at + 1}): save the file as CSV UTF-8 text"
        raise FileRefused([Fault(_row_at(data, at), None, message)])


def _row_at(data: bytes, offset: int) -> int:
    """The row (the header is 1) of the byte at `offset`, counting line ends (a quoted cell holding a line
    end puts it a row further: close enough to find it)."""
    return data.count(b"\n", 0, offset) + 1


def _row(number: int, values: list[str], cells: _Cells, faults: list[Fault]) -> ImportRow | None:
    service, client = values[_SERVICE], values[_CLIENT]
    week, quantities, visits, found = cells.check(values)
    fault = comment_fault(values[_COMMENT])  # the cells' check knows only whether it is blank
    if fault:
        found = (*found, ("comment", fault))
    if service and client and not found:
        assert week is not None and quantities is not None
        return ImportRow(number, service, client, week, quantities, visits, values[_COMMENT])
    if not service:
        faults.append(Fault(number, "service", "is blank"))
    if not client:
        faults.append(Fault(number, "client_reference", "is blank"))
    faults += [Fault(number, column, message) for column, message in found]
    return None


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
