"""Composition root of the messaging service: `python -m messaging api|worker|migrate`."""

from importlib.resources import files

from messaging.api import ROUTERS
from messaging.api.notification_preferences import router as notification_preferences
from messaging.config import Settings
from messaging.consumers import SUBSCRIPTIONS, organisations
from messaging.notifications.sender import send_notifications
from shared.migrations import AUDIT_LOG, OUTBOX_INBOX
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="messaging",
    title="Provider Portal — Messaging",
    settings_cls=Settings,
    migrations=files("messaging") / "migrations",
    routers=[*ROUTERS, organisations.router("messaging"), notification_preferences],
    subscriptions=SUBSCRIPTIONS,
    platform_migrations=(OUTBOX_INBOX, AUDIT_LOG),
    worker_tasks=[send_notifications],  # the notification outbox's senders (messaging.notifications)
)


def main() -> None:
    cli(DEFINITION)
