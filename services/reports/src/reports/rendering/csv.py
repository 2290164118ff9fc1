"""A report's rows as CSV: a header row, UTF-8 with a BOM (so Excel reads names with accents right), CRLF
lines, text a spreadsheet would take for a formula neutralised. Streamed: rows are written in batches as
they come, so a large report never sits in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from typing import IO

from reports.domain.catalogue import ReportDefinition
from reports.rendering.cells import Rows, each_row, for_csv, value_of

BATCH = 500  # rows encoded and written at a time (and between two progress reports)
Progress = Callable[[int], Awaitable[None]]


async def write_csv(
    definition: ReportDefinition, rows: Rows, out: IO[bytes], *, progress: Progress | None = None
) -> int:
    """Write the report to `out`; the number of rows written (the header not counted)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    out.write("\ufeff".encode())
    writer.writerow([c.heading for c in definition.columns])
    written = 0
    async for row in each_row(rows):
        writer.writerow([for_csv(c, value_of(definition, c, row)) for c in definition.columns])
        written += 1
        if written % BATCH == 0:
            _flush(text, out)
            if progress is not None:
                await progress(written)
    _flush(text, out)
    if progress is not None:
        await progress(written)
    return written


def _flush(text: io.StringIO, out: IO[bytes]) -> None:
    out.write(text.getvalue().encode("utf-8"))
    text.seek(0)
    text.truncate()
