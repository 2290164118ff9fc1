"""Report runs: the reasons a user reads on a failed run, and why a run cannot be had."""

from __future__ import annotations

import uuid
from datetime import datetime

from shared.errors import Conflict, FieldError, Invalid, NotFound

# What a user reads on a failed run: the cause is in the worker's logs, never in the reason.
RENDER_FAILED = (
    "The report could not be produced because of an error on our side. Start a new run to try again."
)
RENDER_ABANDONED = (
    "The report could not be produced: rendering it stopped the render worker repeatedly, so it was"
    " not tried again. Start a new run, or tell the council if it keeps failing."
)


class UnknownReport(Invalid):
    """The catalogue has no report by that key."""

    def __init__(self, report: str, *, known: list[str]) -> None:
        super().__init__(
            f"there is no report called {report!r}",
            title="Your request has errors",
            code="unknown-report",
            fields=[FieldError("report", f"choose one of: {', '.join(known)}")],
        )


class RunNotFound(NotFound):
    """No run with that id that the caller can see (another tenant's runs are not confirmed to exist)."""

    def __init__(self, run_id: uuid.UUID) -> None:
        super().__init__(f"there is no report run {run_id} that you can see", code="report-run-not-found")


class RunNotReady(Conflict):
    """The run has no file to download (yet, or ever)."""

    def __init__(self, status: str, error: str | None) -> None:
        if status == "failed":
            message = f"the report run failed, so there is no file to download: {error}"
        else:
            message = f"the report is {status}, not ready to download"
        super().__init__(message, code="report-run-not-ready")


class RunExpired(NotFound):
    """The run's file was kept for its time and is gone ("My reports" lists it no more)."""

    status = 410
    default_title = "Gone"

    def __init__(self, expired_at: datetime) -> None:
        super().__init__(
            f"the report's file was kept until {expired_at:%d/%m/%Y %H:%M} UTC and has been deleted:"
            " run the report again",
            code="report-run-expired",
        )
