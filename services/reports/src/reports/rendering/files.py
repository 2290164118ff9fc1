"""What a rendered file is called and how it is served."""

from __future__ import annotations

from datetime import datetime

from reports.domain.catalogue import ReportDefinition

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",  # a fragment (rendering.html), shown inside the portal's page
}


def filename(report: ReportDefinition, format: str, *, printed: datetime) -> str:
    return f"{report.key}-{printed:%Y%m%d-%H%M}.{format}"
