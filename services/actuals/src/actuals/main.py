"""Composition root of the actuals service: `python -m actuals api|worker|migrate`."""

from importlib.resources import files

from actuals.api import ROUTERS
from actuals.config import Settings
from actuals.consumers import SUBSCRIPTIONS, organisations
from actuals.handlers.imports import JOBS as IMPORT_JOBS
from actuals.import_worker import run_imports
from actuals.republishing import REPUBLISHERS
from shared.jobs_api import jobs_routers
from shared.migrations import AUDIT_LOG, JOBS, OUTBOX_INBOX
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="actuals",
    title="Provider Portal — Actuals",
    settings_cls=Settings,
    migrations=files("actuals") / "migrations",
    routers=[*ROUTERS, organisations.router("actuals"), *jobs_routers("actuals", IMPORT_JOBS)],
    subscriptions=SUBSCRIPTIONS,
    platform_migrations=(OUTBOX_INBOX, AUDIT_LOG, JOBS),
    republishers=REPUBLISHERS,  # payments' and reports' backfill requests, and `python -m actuals republish`
    worker_tasks=[run_imports],  # bulk imports: actuals.import_worker
)


def main() -> None:
    cli(DEFINITION)
