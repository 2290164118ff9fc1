"""How a report's rows become a file: pure functions, rows in, bytes out (no I/O, the clock passed in)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from reports.domain.catalogue import ReportDefinition

CONTENT_TYPES: dict[str, str] = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def filename(report: ReportDefinition, format: str, *, printed: datetime) -> str:
    return f"{report.key}-{printed:%Y%m%d-%H%M}.{format}"


def render_csv(report: ReportDefinition, rows: Sequence[BaseModel]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.heading for c in report.columns])
    for row in rows:
        writer.writerow([_csv_safe(getattr(row, c.key)) for c in report.columns])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8 names correctly


def _csv_safe(value: object) -> str:
    """Neutralise spreadsheet formula injection (OWASP CSV injection) in text cells."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_pdf(report: ReportDefinition, rows: Sequence[BaseModel], *, printed: datetime) -> bytes:
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=report.title, author="Provider Portal")
    data = [[c.heading for c in report.columns]] + [
        [str(getattr(row, c.key)) for c in report.columns] for row in rows
    ]
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
    story = [
        Paragraph(report.title, styles["Title"]),
        Paragraph(f"Printed {printed:%d/%m/%Y %H:%M} UTC", styles["Normal"]),
        table if rows else Paragraph("No rows.", styles["Normal"]),
    ]
    doc.build(story)
    return buffer.getvalue()
