"""The render worker: competing consumers on the `reports.render` work queue.

Run as many copies as wanted (`python -m reports render`); each takes one job at a time (prefetch 1)
so a long report never holds back jobs that another copy could take. Ops scale it on queue depth.
Each copy also marks failed the runs whose jobs were dead-lettered (see `reports.dead_letters`).
"""

from __future__ import annotations

import asyncio
from functools import partial

from reports.dead_letters import AbandonedRenders
from reports.handlers.rendering import render_run
from shared.bus import Consumer, Subscription
from shared.events import ReportRunRequested
from shared.service import Runtime

RENDER_QUEUE = "reports.render"


def render_consumer(runtime: Runtime, *, prefetch: int = 1) -> Consumer:
    return Consumer(
        name=RENDER_QUEUE,
        queue=RENDER_QUEUE,
        pool=runtime.pool,
        schema="reports",
        connection=runtime.broker,
        events_exchange=runtime.settings.events_exchange,
        subscriptions=[Subscription(ReportRunRequested, partial(render_run, runtime.work))],
        delivery_limit=runtime.settings.consumer_delivery_limit,
        retry_delays=runtime.settings.consumer_retry_delays,
        prefetch=prefetch,
        metrics=runtime.metrics,
    )


async def run_render_worker(runtime: Runtime, stop: asyncio.Event) -> None:
    consumer = render_consumer(runtime)
    abandoned = AbandonedRenders(runtime, queue=f"{RENDER_QUEUE}.dlq")
    await consumer.start()
    await abandoned.start()
    try:
        await stop.wait()
    finally:
        await abandoned.stop()
        await consumer.stop()
