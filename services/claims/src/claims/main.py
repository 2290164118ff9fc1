"""Composition root of the claims service: `python -m claims api|worker|migrate`."""

from importlib.resources import files

from claims.api import ROUTERS
from claims.config import Settings
from claims.consumers import SUBSCRIPTIONS, ask_for_missing_states, organisations
from shared.migrations import AUDIT_LOG, OUTBOX_INBOX
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="claims",
    title="Provider Portal — Claims",
    settings_cls=Settings,
    migrations=files("claims") / "migrations",
    routers=[*ROUTERS, organisations.router("claims")],
    subscriptions=SUBSCRIPTIONS,
    platform_migrations=(OUTBOX_INBOX, AUDIT_LOG),
    worker_tasks=[ask_for_missing_states],  # actuals' clients and CPLIs, when claims' projections are empty
)


def main() -> None:
    cli(DEFINITION)
