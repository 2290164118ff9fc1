"""Events published by the reports service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events.envelope import EventPayload


class ReportRunRequested(EventPayload):
    """Someone asked for a report; a render worker picks it up from the `reports.render` work queue."""

    producer = "reports"
    aggregate = "report_run"
    event = "requested"
    version = 1

    run_id: uuid.UUID = Field(description="The report run")
    authority_id: uuid.UUID = Field(description="The authority whose data the report shows")
    organisation_id: uuid.UUID | None = Field(
        description="Limits the report to one provider; null for council staff"
    )
    report: str = Field(description="Report key in the catalogue", examples=["organisation-directory"])
    format: Literal["pdf", "csv"] = Field(description="View (PDF) or Download Data (CSV)")
    requested_by: str = Field(description="Subject of the user or system that asked")
    requested_at: datetime = Field(description="When it was asked, UTC")
