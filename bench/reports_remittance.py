"""The remittances of the render benchmarks (bench/reports_render.py): the reports read model
(services/reports/src/reports/migrations/0003_read_model.sql) seeded with a provider's contract and
its remittances, each of N lines, in set-based statements (INSERT ... SELECT from generate_series); the
same lines as an in-memory list for the floor; and the floor itself, raw reportlab.

A line's figures are a function of its number (`line`), in SQL for the read model and in Python for the
floor's list, so both print the same table: the columns of the catalogue's "remittance-advice" report
(reports.domain.catalogue), as reports.store.paid yields them.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Table

from reports.domain.catalogue import REMITTANCE_ADVICE
from reports.rendering.fonts import BOLD, FONT

REPORT = REMITTANCE_ADVICE.key
PAYMENT_METHOD = "Scheduled Weekly Net"  # the contracts' schedule below: weekly
FIRST_PERIOD = date(2026, 4, 6)  # a Monday: remittance k is of the week FIRST_PERIOD + k weeks
SOURCES = ("planned", "actuals", "claim")
SOURCE_LABELS = {"planned": "Commissioned care", "actuals": "Care delivered", "claim": "One-off claim"}


@dataclass(frozen=True)
class Provider:
    """A provider of the benchmark's council, with one weekly contract."""

    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID


def period(k: int) -> date:
    return FIRST_PERIOD + timedelta(weeks=k)


async def seed_council(pool: asyncpg.Pool, authority_id: uuid.UUID) -> None:
    """The council's name and colour, as identity's authority events leave them (printed on each page)."""
    await pool.execute(
        "INSERT INTO reports.authority VALUES ($1, 'bench-council', 'Bench County Council',"
        " '#1d70b8', '#0b0c0c', 1, now())",
        authority_id,
    )


async def seed_provider(
    pool: asyncpg.Pool, authority_id: uuid.UUID, *, remittances: int, lines: int
) -> Provider:
    """A new provider organisation and weekly contract with `remittances` remittances (weeks from
    FIRST_PERIOD on) of `lines` lines each: five statements, however many lines (the remittances and
    their lines each one INSERT ... SELECT from generate_series)."""
    provider = Provider(authority_id, uuid.uuid4(), uuid.uuid4())
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO reports.organisation VALUES ($1, $2, 'Bench Care Ltd', 'BENCH1', true, 1, now())",
            provider.organisation_id,
            authority_id,
        )
        await conn.execute(
            """
            INSERT INTO reports.contract VALUES
                ($1, $2, $3, 'C-BENCH-0001', 'Bench weekly care', 'planned', 'weekly', true, $4, NULL,
                 true, 1, now())
            """,
            provider.contract_id,
            authority_id,
            provider.organisation_id,
            FIRST_PERIOD,
        )
        # One remittance a week; the totals are the lines' (set below, once the lines are in).
        await conn.execute(
            """
            INSERT INTO reports.remittance
            SELECT gen_random_uuid(), $1, $2, 'SUP-BENCH1', 'Bench Care Ltd', 'REM-' || lpad(k::text, 5, '0'),
                   gen_random_uuid(), 'RUN-' || lpad(k::text, 5, '0'), gen_random_uuid(), $3, 'C-BENCH-0001',
                   'Bench weekly care', $4::date + 7 * k, $4::date + 7 * k + 6, $4::date + 7 * k + 14,
                   0, 0, 0, now()
              FROM generate_series(0, $5 - 1) AS k
            """,
            authority_id,
            provider.organisation_id,
            provider.contract_id,
            FIRST_PERIOD,
            remittances,
        )
        # Every remittance's lines 1..`lines`, the figures of `line(n)`.
        await conn.execute(
            """
            INSERT INTO reports.remittance_line
            SELECT r.remittance_id, n, gen_random_uuid(), (ARRAY['planned', 'actuals', 'claim'])[1 + n % 3],
                   gen_random_uuid(), 'CL' || lpad(n::text, 6, '0'), 'Client ' || lpad(n::text, 6, '0'),
                   'PO-' || lpad(n::text, 6, '0'), NULL, r.period_start, r.period_start + n % 7, false,
                   NULL, x.net, x.vat, x.net + x.vat
              FROM reports.remittance r
             CROSS JOIN generate_series(1, $2) AS n
             CROSS JOIN LATERAL (SELECT 250 + (n % 997) * 0.37 AS net) AS v
             CROSS JOIN LATERAL (
                   SELECT v.net, CASE WHEN n % 5 = 0 THEN round(v.net * 0.2, 2) ELSE 0 END AS vat) AS x
             WHERE r.contract_id = $1
            """,
            provider.contract_id,
            lines,
        )
        await conn.execute(
            """
            UPDATE reports.remittance r
               SET excl_vat = t.net, vat = t.vat, total = t.gross
              FROM (SELECT remittance_id, sum(excl_vat) AS net, sum(vat) AS vat, sum(total) AS gross
                      FROM reports.remittance_line GROUP BY remittance_id) AS t
             WHERE r.contract_id = $1 AND t.remittance_id = r.remittance_id
            """,
            provider.contract_id,
        )
    return provider


def parameters(provider: Provider, k: int = 0) -> dict[str, str]:
    """The remittance of week k as a user asks for it: the parameters the definition declares."""
    return {
        "contract_id": str(provider.contract_id),
        "payment_method": PAYMENT_METHOD,
        "period_start": period(k).isoformat(),
    }


def line(n: int, k: int = 0) -> dict[str, Any]:
    """Line n of remittance k as the report's source yields it (the figures the SQL above writes)."""
    source = SOURCES[n % 3]
    start = period(k)
    end = start + timedelta(days=n % 7)
    net = Decimal(250) + Decimal(n % 997) * Decimal("0.37")
    vat = (net * Decimal("0.2")).quantize(Decimal("0.01"), ROUND_HALF_UP) if n % 5 == 0 else Decimal(0)
    return {
        "client": f"Client {n:06d}",
        "service": SOURCE_LABELS[source],
        "period_start": start,
        "period_end": end,
        "quantity": (end - start).days + 1,
        "net": net,
        "vat": vat,
        "gross": net + vat,
    }


def floor_rows(lines: int) -> list[list[str]]:
    """The table's text from an in-memory list of `lines` lines: what the floor lays out."""
    rows = []
    for n in range(1, lines + 1):
        row = line(n)
        rows.append(
            [
                row["client"],
                row["service"],
                f"{row['period_start']:%d/%m/%Y}",
                f"{row['period_end']:%d/%m/%Y}",
                str(row["quantity"]),
                f"£{row['net']:,.2f}",
                f"£{row['vat']:,.2f}",
                f"£{row['gross']:,.2f}",
            ]
        )
    return rows


# The page and the table as reports.rendering.pdf lays a remittance out (landscape A4 for its eight
# columns, 8-point type, 2 points of padding, the same widths), so both put as many lines on a page.
WEIGHTS = {"text": 3.0, "money": 1.6, "date": 1.4, "number": 1.0}
SIZE, PADDING, MARGIN = 8, 2, 12 * mm


def floor_pdf(lines: int, *, chunked: bool = False) -> bytes:
    """Raw reportlab, in this process: the remittance's table (header repeated on each page, striped,
    amounts right-aligned) from an in-memory list, one `SimpleDocTemplate.build`. One table of every
    line (the issue's floor: reportlab splits the rest of it at each page, more work the longer it is),
    or `chunked`: a table per page's worth of lines (what a streaming renderer does)."""
    columns = REMITTANCE_ADVICE.columns
    pagesize = landscape(A4)
    width = pagesize[0] - 2 * MARGIN
    scale = width / sum(WEIGHTS[c.kind] for c in columns)
    widths = [WEIGHTS[c.kind] * scale for c in columns]
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, SIZE, SIZE * 1.2),
        ("FONT", (0, 0), (-1, 0), BOLD, SIZE, SIZE * 1.2),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1d70b8")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f2f1")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING),
    ]
    style += [
        ("ALIGN", (i, 0), (i, -1), "RIGHT") for i, c in enumerate(columns) if c.kind in ("money", "number")
    ]
    header = [c.heading for c in columns]
    rows = floor_rows(lines)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 11 * mm,
        bottomMargin=MARGIN + 6 * mm,
        title="floor",
    )
    if chunked:
        per_page = int((doc.height - 8 * mm) / (SIZE * 1.2 + 2 * PADDING)) + 1
        story = [
            Table(
                [header, *rows[i : i + per_page]], colWidths=widths, repeatRows=1, hAlign="LEFT", style=style
            )
            for i in range(0, len(rows), per_page)
        ]
    else:
        story = [Table([header, *rows], colWidths=widths, repeatRows=1, hAlign="LEFT", style=style)]
    doc.build(story)
    return buffer.getvalue()


def pages(pdf: bytes) -> int:
    """The pages of a PDF reportlab wrote (each page object is `/Type /Page`, the tree `/Pages`)."""
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))
