"""Composition root of the payments service: `python -m payments api|worker|migrate`."""

from importlib.resources import files

from payments.api import ROUTERS
from payments.config import Settings
from payments.consumers import SUBSCRIPTIONS, organisations
from shared.migrations import AUDIT_LOG, OUTBOX_INBOX
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="payments",
    title="Provider Portal — Payments",
    settings_cls=Settings,
    migrations=files("payments") / "migrations",
    routers=[*ROUTERS, organisations.router("payments")],
    subscriptions=SUBSCRIPTIONS,
    platform_migrations=(OUTBOX_INBOX, AUDIT_LOG),
)


def main() -> None:
    cli(DEFINITION)
