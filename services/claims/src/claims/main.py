"""Composition root of the claims service: `python -m claims api|worker|migrate`."""

from importlib.resources import files

from claims.api import ROUTERS
from claims.config import Settings
from claims.consumers import SUBSCRIPTIONS, ask_for_missing_states, organisations
from claims.republishing import REPUBLISHERS
from shared.migrations import ATTACHMENTS, AUDIT_LOG, DECISION_REQUESTS, OUTBOX_INBOX
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="claims",
    title="Provider Portal — Claims",
    settings_cls=Settings,
    migrations=files("claims") / "migrations",
    routers=[*ROUTERS, organisations.router("claims")],
    subscriptions=SUBSCRIPTIONS,
    republishers=REPUBLISHERS,  # reports' backfill requests, and `python -m claims republish claim`
    # Receipts on items (shared.attachments); a submitted claim is a request the council decides
    # (shared.decisions).
    platform_migrations=(OUTBOX_INBOX, AUDIT_LOG, ATTACHMENTS, DECISION_REQUESTS),
    worker_tasks=[ask_for_missing_states],  # actuals' clients and CPLIs, when claims' projections are empty
)


def main() -> None:
    cli(DEFINITION)
