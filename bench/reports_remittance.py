"""A remittance-like report for the render benchmarks (bench/reports_render.py): its definition, its lines
in a table of the benchmark's own database, and how a render worker process is told about them.

SWITCH when reports/rendering/pdf.py and reports/store/sources.py land (issue 14's other helpers): seed
the read model with one remittance of N lines and run the catalogue's "remittance-advice" report; then
`install()` and the `bench_remittance_line` table go, and `floor_pdf` builds its table from the same
columns as reports.rendering.pdf does (the definition's). Until then `install()` patches the worker's
existing render path (reports.domain.formats through handlers/rendering.py `_render`, whose rows come
from `directory.organisations_for_report`): the rows come from this table instead, read in one query.
"""

from __future__ import annotations

import io
import uuid
from decimal import Decimal
from typing import Any

import asyncpg
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from shared.records import Record

KEY = "bench-remittance"
COLUMNS = (
    ("line_no", "Line"),
    ("client", "Client"),
    ("period", "Period"),
    ("service", "Service"),
    ("quantity", "Quantity"),
    ("rate", "Rate"),
    ("amount", "Amount"),
)
CREATE = """
CREATE TABLE IF NOT EXISTS reports.bench_remittance_line (
    run_key  text NOT NULL,
    line_no  integer NOT NULL,
    client   text NOT NULL,
    period   text NOT NULL,
    service  text NOT NULL,
    quantity numeric(12,2) NOT NULL,
    rate     numeric(12,2) NOT NULL,
    amount   numeric(12,2) NOT NULL,
    PRIMARY KEY (run_key, line_no)
)
"""


class BenchLine(Record):
    line_no: int
    client: str
    period: str
    service: str
    quantity: Decimal
    rate: Decimal
    amount: Decimal


def line(n: int) -> dict[str, Any]:
    """The n-th line of every size (the same in the database and in the floor's list)."""
    quantity = Decimal(7 + n % 5)
    rate = Decimal("18.50") + Decimal(n % 7)
    return {
        "line_no": n,
        "client": f"Client {n:06d} of Provider Care Ltd",
        "period": f"{1 + n % 28:02d}/04/2026",
        "service": ("Home care", "Day care", "Respite", "Supported living")[n % 4],
        "quantity": quantity,
        "rate": rate,
        "amount": quantity * rate,
    }


async def seed(pool: asyncpg.Pool, *, run_key: str, lines: int) -> None:
    """`lines` lines under `run_key`, generated in SQL (the same figures as `line`)."""
    await pool.execute(CREATE)
    await pool.execute(
        """
        INSERT INTO reports.bench_remittance_line
        SELECT $1, n, 'Client ' || lpad(n::text, 6, '0') || ' of Provider Care Ltd',
               lpad((1 + n % 28)::text, 2, '0') || '/04/2026',
               (ARRAY['Home care', 'Day care', 'Respite', 'Supported living'])[1 + n % 4],
               7 + n % 5, 18.50 + n % 7, (7 + n % 5) * (18.50 + n % 7)
          FROM generate_series(0, $2 - 1) AS n
        """,
        run_key,
        lines,
    )


def install() -> None:
    """In a render worker process (its preamble): the bench report in the catalogue, its rows from
    `reports.bench_remittance_line` (the run's requester names the lines: `requested_by` is the
    run key). See SWITCH above."""
    from reports.domain.catalogue import CATALOGUE, Column, ReportDefinition
    from reports.handlers import rendering

    CATALOGUE[KEY] = ReportDefinition(
        key=KEY,
        title="Remittance Advice (benchmark)",
        description="A remittance-like report of N lines",
        columns=tuple(Column(key, heading) for key, heading in COLUMNS),
    )
    render = rendering._render

    async def bench_render(uow: Any, definition: Any, run: Any, *, progress: Any) -> None:
        if definition.key != KEY:
            return await render(uow, definition, run, progress=progress)

        async def rows(*, conn: asyncpg.Connection, scope: Any, organisation_id: uuid.UUID | None) -> list:
            found = await conn.fetch(
                "SELECT * FROM reports.bench_remittance_line WHERE run_key = $1 ORDER BY line_no",
                run.requested_by,
            )
            return [BenchLine.from_row(r) for r in found]

        original = rendering.directory.organisations_for_report
        rendering.directory.organisations_for_report = rows  # type: ignore[assignment]
        try:
            return await render(uow, definition, run, progress=progress)
        finally:
            rendering.directory.organisations_for_report = original

    rendering._render = bench_render  # type: ignore[assignment]


def floor_pdf(lines: int) -> bytes:
    """Raw reportlab: the same table (header repeated on each page, the same style as the render path)
    from an in-memory list, one document. SWITCH: style as reports.rendering.pdf once it lands."""
    data = [[heading for _, heading in COLUMNS]]
    for n in range(lines):
        row = line(n)
        data.append([str(row[key]) for key, _ in COLUMNS])
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title="floor")
    table = Table(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f2f1")]),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    doc.build([table])
    return buffer.getvalue()


def pages(pdf: bytes) -> int:
    """The pages of a PDF reportlab wrote (each page object is `/Type /Page`, the tree `/Pages`)."""
    import re

    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))
