"""Composition root of the payments service: `python -m payments api|worker|migrate`."""

from importlib.resources import files

from payments.api import ROUTERS
from payments.config import Settings
from payments.consumers import SUBSCRIPTIONS, ask_for_missing_states, organisations
from shared.migrations import AUDIT_LOG, DECISION_REQUESTS, JOBS, OUTBOX_INBOX
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="payments",
    title="Provider Portal — Payments",
    settings_cls=Settings,
    migrations=files("payments") / "migrations",
    routers=[*ROUTERS, organisations.router("payments")],
    subscriptions=SUBSCRIPTIONS,
    # A payment run is a job (shared.jobs); a provider's dispute is a request the council decides
    # (shared.decisions).
    platform_migrations=(OUTBOX_INBOX, AUDIT_LOG, JOBS, DECISION_REQUESTS),
    worker_tasks=[ask_for_missing_states],  # contracts, services, clients and CPLIs, when empty
)


def main() -> None:
    cli(DEFINITION)
