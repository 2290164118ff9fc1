"""Rules of the reports service, as plain Python: who may use reports, and why a run is not ready."""

from __future__ import annotations

import uuid

# What a user reads on a failed run: the cause is in the worker's logs, never in the reason.
RENDER_FAILED = (
    "The report could not be produced because of an error on our side. Start a new run to try again."
)
RENDER_ABANDONED = (
    "The report could not be produced: rendering it stopped the render worker repeatedly, so it was"
    " not tried again. Start a new run, or tell the council if it keeps failing."
)


class RunNotFound(Exception):
    """No run with that id that the caller can see."""

    def __init__(self, run_id: uuid.UUID) -> None:
        super().__init__(f"there is no report run {run_id} that you can see")


class RunNotReady(Exception):
    """The run has no file to download (yet, or ever)."""

    def __init__(self, status: str, error: str | None) -> None:
        if status == "failed":
            message = f"the report run failed, so there is no file to download: {error}"
        else:
            message = f"the report is {status}, not ready to download"
        super().__init__(message)
