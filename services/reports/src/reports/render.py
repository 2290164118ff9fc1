"""The render worker: competing consumers on the `reports.render` work queue.

Run as many copies as wanted (`python -m reports render`); each takes one job at a time (prefetch 1)
so a long report never holds back jobs that another copy could take. Ops scale it on queue depth.
Each copy also marks failed the runs whose jobs were dead-lettered (see `reports.dead_letters`), and
serves its figures on /metrics of `render_port` (see `reports.metrics`).
"""

from __future__ import annotations

import asyncio

import asyncpg

from reports.dead_letters import AbandonedRenders
from reports.handlers.rendering import render_run
from reports.metrics import RenderMetrics
from reports.render_queue import DEAD_LETTER_QUEUE, RENDER_QUEUE
from shared.bus import Consumer, Subscription
from shared.events import Envelope, ReportRunRequested
from shared.service import Runtime


def render_metrics(runtime: Runtime) -> RenderMetrics:
    """The runtime's render figures, made once (a registry takes each name once)."""
    metrics = runtime.state.get("render_metrics")
    if metrics is None:
        metrics = runtime.state["render_metrics"] = RenderMetrics(runtime.metrics.registry)
    assert isinstance(metrics, RenderMetrics)
    return metrics


def render_consumer(runtime: Runtime, *, prefetch: int = 1) -> Consumer:
    metrics = render_metrics(runtime)

    async def render(conn: asyncpg.Connection, envelope: Envelope, event: ReportRunRequested) -> None:
        async with metrics.timing(report=event.report, format=event.format) as outcome:
            outcome.value = await render_run(runtime.work, conn, envelope, event)

    return Consumer(
        name=RENDER_QUEUE,
        queue=RENDER_QUEUE,
        pool=runtime.pool,
        schema="reports",
        connection=runtime.broker,
        events_exchange=runtime.settings.events_exchange,
        subscriptions=[Subscription(ReportRunRequested, render)],
        delivery_limit=runtime.settings.consumer_delivery_limit,
        retry_delays=runtime.settings.consumer_retry_delays,
        prefetch=prefetch,
        metrics=runtime.metrics,
    )


async def run_render_worker(runtime: Runtime, stop: asyncio.Event) -> None:
    consumer = render_consumer(runtime)
    abandoned = AbandonedRenders(runtime, queue=DEAD_LETTER_QUEUE, metrics=render_metrics(runtime))
    await consumer.start()
    await abandoned.start()
    runtime.metrics.watch_queue(DEAD_LETTER_QUEUE)  # declared by the consumer's start
    try:
        await stop.wait()
    finally:
        await abandoned.stop()
        await consumer.stop()
