"""Composition root of the reports service: `python -m reports api|worker|migrate|render`."""

import asyncio
from importlib.resources import files

from reports.api import ROUTERS, reports_only
from reports.config import Settings
from reports.consumers import SUBSCRIPTIONS, ask_for_missing_states, organisations
from reports.render_queue import RENDER_QUEUE
from shared.events import ReportRunRequested
from shared.migrations import AUDIT_LOG, JOBS, OUTBOX_INBOX
from shared.service import Runtime, ServiceDefinition, cli


async def run_render_worker(runtime: Runtime, stop: asyncio.Event) -> None:
    """`python -m reports render`. The renderer is imported by the render process alone: reportlab and
    the fonts take about half a second to load, and the API and the worker never render."""
    from reports.render import run_render_worker as render

    await render(runtime, stop)


DEFINITION = ServiceDefinition(
    name="reports",
    title="Provider Portal — Reports",
    settings_cls=Settings,
    migrations=files("reports") / "migrations",
    routers=[*ROUTERS, reports_only(organisations.router("reports"))],
    subscriptions=SUBSCRIPTIONS,
    platform_migrations=(OUTBOX_INBOX, AUDIT_LOG, JOBS),
    commands={"render": run_render_worker},
    # identity's, actuals' and payments' states, when the read model is empty (reports.consumers)
    worker_tasks=[ask_for_missing_states],
    work_queues={RENDER_QUEUE: [ReportRunRequested.routing_key()]},
)


def main() -> None:
    cli(DEFINITION)
