"""Composition root of the actuals service: `python -m actuals api|worker|migrate`."""

from importlib.resources import files

from actuals.api import ROUTERS
from actuals.config import Settings
from actuals.consumers import SUBSCRIPTIONS, organisations
from actuals.republishing import REPUBLISHERS
from shared.migrations import AUDIT_LOG, OUTBOX_INBOX
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="actuals",
    title="Provider Portal — Actuals",
    settings_cls=Settings,
    migrations=files("actuals") / "migrations",
    routers=[*ROUTERS, organisations.router("actuals")],
    subscriptions=SUBSCRIPTIONS,
    platform_migrations=(OUTBOX_INBOX, AUDIT_LOG),
    republishers=REPUBLISHERS,  # payments' and reports' backfill requests, and `python -m actuals republish`
)


def main() -> None:
    cli(DEFINITION)
