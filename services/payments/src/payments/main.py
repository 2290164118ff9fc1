"""Composition root of the payments service: `python -m payments api|worker|migrate`."""

from importlib.resources import files

from payments.api import ROUTERS
from payments.config import Settings
from payments.consumers import SUBSCRIPTIONS, ask_for_missing_states, organisations
from payments.handlers.runs import JOBS as RUN_JOBS
from payments.republishing import REPUBLISHERS
from payments.run_worker import run_payment_runs
from shared.jobs_api import jobs_routers
from shared.migrations import AUDIT_LOG, DECISION_REQUESTS, JOBS, OUTBOX_INBOX
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="payments",
    title="Provider Portal — Payments",
    settings_cls=Settings,
    migrations=files("payments") / "migrations",
    routers=[*ROUTERS, organisations.router("payments"), *jobs_routers("payments", RUN_JOBS)],
    subscriptions=SUBSCRIPTIONS,
    # A payment run is a job (shared.jobs); a provider's dispute is a request the council decides
    # (shared.decisions).
    platform_migrations=(OUTBOX_INBOX, AUDIT_LOG, JOBS, DECISION_REQUESTS),
    # contracts, services, clients and CPLIs, when empty; and the payment runs the council started
    worker_tasks=[ask_for_missing_states, run_payment_runs],
    republishers=REPUBLISHERS,  # reports' backfill requests (payments, invoices, credit notes); `python -m payments republish`
)


def main() -> None:
    cli(DEFINITION)
