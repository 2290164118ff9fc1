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
    format: Literal["pdf", "csv", "html"] = Field(
        description="View (PDF), Download Data (CSV) or View as a web page (HTML, the accessible view)"
    )
    requested_by: str = Field(description="Subject of the user or system that asked")
    requested_at: datetime = Field(description="When it was asked, UTC")


class ReportArtifactDownloaded(EventPayload):
    """Someone downloaded a rendered report. Identity writes it to the access audit log that council
    admins read (DESIGN.md "Security model"); written in the download's transaction."""

    producer = "reports"
    aggregate = "artifact"
    event = "downloaded"
    version = 1

    run_id: uuid.UUID = Field(description="The report run whose file was downloaded")
    authority_id: uuid.UUID = Field(description="The authority whose data the report shows")
    organisation_id: uuid.UUID | None = Field(
        description="The provider organisation the report is limited to; null for a council-wide run"
    )
    report: str = Field(description="Report key in the catalogue", examples=["organisation-directory"])
    format: Literal["pdf", "csv", "html"] = Field(
        description="View (PDF), Download Data (CSV) or View as a web page (HTML, the accessible view)"
    )
    filename: str = Field(
        description="Name of the file as downloaded", examples=["organisation-directory.csv"]
    )
    downloaded_by: str = Field(
        description="Subject of the user, API key or council client that downloaded it"
    )
    actor_kind: Literal["user", "api_key", "council_client"] = Field(
        description="What kind of caller downloaded it"
    )
    role: str = Field(description="The caller's role when downloading", examples=["finance"])
    client_address: str | None = Field(
        description="The caller's address as the gateway saw it; null when unknown", examples=["203.0.113.7"]
    )
    request_id: str | None = Field(description="Id of the download request, for tracing it in the logs")
    downloaded_at: datetime = Field(description="When it was downloaded, UTC")
