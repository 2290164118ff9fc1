"""The actuals worker's import loop (a worker task of `python -m actuals worker`).

Each worker copy takes the oldest pending import with `FOR UPDATE SKIP LOCKED` and processes it in one
transaction (actuals.handlers.import_job.process_next), so several copies share the work and never take the
same file. A copy killed mid-way holds nothing: its transaction is rolled back by PostgreSQL when the
connection drops, the batch is pending again and the next copy starts it over (nothing was written).
The batch counts the copies that took it; after three it is refused ("could not be processed"), so a
file that kills its worker every time cannot keep a job running for ever.
"""

from __future__ import annotations

import asyncio
import contextlib

from actuals.handlers.import_job import process_next
from shared.logging import get_logger
from shared.service import Runtime

log = get_logger(__name__)


async def run_imports(runtime: Runtime, stop: asyncio.Event) -> None:
    poll = float(getattr(runtime.settings, "import_poll_seconds", 1.0))
    while not stop.is_set():
        taken = None
        try:
            taken = await process_next(runtime.work)
        except Exception:  # the batch stays pending (its attempt counted); the next round takes it again
            log.exception("actuals_import_error")
        if taken is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll)
