"""Composition root of the messaging service: `python -m messaging api|worker|migrate`."""

from importlib.resources import files

from messaging.api import ROUTERS
from messaging.config import Settings
from messaging.consumers import SUBSCRIPTIONS, organisations
from shared.projections import PLATFORM_WITH_ORGANISATIONS
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="messaging",
    title="Provider Portal — Messaging",
    settings_cls=Settings,
    migrations=files("messaging") / "migrations",
    routers=[*ROUTERS, organisations.router("messaging")],
    subscriptions=SUBSCRIPTIONS,
    platform_migrations=PLATFORM_WITH_ORGANISATIONS,
)


def main() -> None:
    cli(DEFINITION)
