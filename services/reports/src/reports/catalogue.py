"""The report catalogue and the renderers (pure functions: rows in, bytes out; no I/O)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle


@dataclass(frozen=True)
class Column:
    key: str
    heading: str


@dataclass(frozen=True)
class ReportDefinition:
    key: str
    title: str
    description: str
    columns: tuple[Column, ...]


ORGANISATION_DIRECTORY = ReportDefinition(
    key="organisation-directory",
    title="Provider Organisations",
    description="The provider organisations of the authority, with their reference and status.",
    columns=(Column("name", "Organisation"), Column("reference", "Reference"), Column("status", "Status")),
)
CATALOGUE = {r.key: r for r in (ORGANISATION_DIRECTORY,)}


def render_csv(report: ReportDefinition, rows: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.heading for c in report.columns])
    for row in rows:
        writer.writerow([_csv_safe(row[c.key]) for c in report.columns])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8 names correctly


def _csv_safe(value: Any) -> str:
    """Neutralise spreadsheet formula injection (OWASP CSV injection) in text cells."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_pdf(report: ReportDefinition, rows: Sequence[dict[str, Any]], *, printed: datetime) -> bytes:
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=report.title, author="Provider Portal")
    data = [[c.heading for c in report.columns]] + [[str(row[c.key]) for c in report.columns] for row in rows]
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
