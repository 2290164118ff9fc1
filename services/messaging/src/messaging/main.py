"""Composition root of the messaging service: `python -m messaging api|worker|migrate`."""

from importlib.resources import files

from messaging.api import ROUTERS
from messaging.api.notification_preferences import router as notification_preferences
from messaging.config import Settings
from messaging.consumers import SUBSCRIPTIONS, ask_for_missing_states, organisations, watch_overdue
from messaging.notifications.sender import send_notifications
from shared.migrations import ATTACHMENTS, AUDIT_LOG, DECISION_REQUESTS, OUTBOX_INBOX
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="messaging",
    title="Provider Portal — Messaging",
    settings_cls=Settings,
    migrations=files("messaging") / "migrations",
    routers=[*ROUTERS, organisations.router("messaging"), notification_preferences],
    subscriptions=SUBSCRIPTIONS,
    # Files of a thread (shared.attachments); a provider's closure request is a request the council
    # decides (shared.decisions).
    platform_migrations=(OUTBOX_INBOX, AUDIT_LOG, ATTACHMENTS, DECISION_REQUESTS),
    # identity's services, actuals' clients and CPLIs when empty; actions newly overdue, published.
    # and the notification outbox's senders (messaging.notifications).
    worker_tasks=[ask_for_missing_states, watch_overdue, send_notifications],
)


def main() -> None:
    cli(DEFINITION)
