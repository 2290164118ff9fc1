"""What the reports API reads and answers (its OpenAPI)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class ReportPublic(BaseModel):
    key: str
    title: str
    description: str


class RunCreate(BaseModel):
    report: str = Field(description="Report key from the catalogue", examples=["organisation-directory"])
    format: Literal["pdf", "csv"] = Field("pdf", description="pdf to view, csv to download the data")


class RunPublic(BaseModel):
    run_id: uuid.UUID
    report: str
    format: str
    status: Literal["queued", "done", "failed"]
    requested_at: datetime
    finished_at: datetime | None = Field(description="When it was rendered, or when it failed")
    error: str | None = Field(description="Why it failed, for a failed run")
