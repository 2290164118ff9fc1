"""Composition root of the reports service: `python -m reports api|worker|migrate|render`."""

from importlib.resources import files

from reports.api import ROUTERS, reports_only
from reports.config import Settings
from reports.consumers import SUBSCRIPTIONS, ask_for_missing_states, organisations
from reports.render import RENDER_QUEUE, run_render_worker
from shared.events import ReportRunRequested
from shared.migrations import AUDIT_LOG, JOBS, OUTBOX_INBOX
from shared.service import ServiceDefinition, cli

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
