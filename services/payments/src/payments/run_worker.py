"""The payments worker's run loop (a worker task of `python -m payments worker`): computes the runs the
council started (payments.handlers.runs.process_next). A copy killed mid-run loses at most the chunk it
was writing (rolled back); the next copy goes on from the run's cursor."""

from __future__ import annotations

import asyncio
import contextlib

from payments.config import Settings
from payments.handlers.runs import process_next
from shared.logging import get_logger
from shared.service import Runtime

log = get_logger(__name__)


async def run_payment_runs(runtime: Runtime, stop: asyncio.Event) -> None:
    settings = runtime.settings
    if not isinstance(settings, Settings) or not settings.compute_runs:
        log.info("payments_runs_not_computed_here")
        return
    poll = settings.run_poll_seconds
    while not stop.is_set():
        taken = None
        try:
            taken = await process_next(runtime.work)
        except Exception:  # the run stays computing; the next round goes on from its cursor
            log.exception("payments_run_error")
        if taken is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll)
