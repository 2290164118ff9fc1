"""Composition root of the messaging service: `python -m messaging api|worker|migrate`."""

from importlib.resources import files

from messaging.api import ROUTERS
from messaging.config import Settings
from messaging.consumers import SUBSCRIPTIONS, organisations
from shared.migrations import AUDIT_LOG, OUTBOX_INBOX
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="messaging",
    title="Provider Portal — Messaging",
    settings_cls=Settings,
    migrations=files("messaging") / "migrations",
    routers=[*ROUTERS, organisations.router("messaging")],
    subscriptions=SUBSCRIPTIONS,
    platform_migrations=(OUTBOX_INBOX, AUDIT_LOG),
)


def main() -> None:
    cli(DEFINITION)
