"""Composition root of the payments service: `python -m payments api|worker|migrate`."""

from pathlib import Path

from payments.api import ROUTERS
from payments.config import Settings
from payments.consumers import SUBSCRIPTIONS
from shared.projections import PLATFORM_WITH_ORGANISATIONS
from shared.service import ServiceDefinition, cli

DEFINITION = ServiceDefinition(
    name="payments",
    title="Provider Portal — Payments",
    settings_cls=Settings,
    service_dir=Path(__file__).resolve().parents[2],
    routers=ROUTERS,
    subscriptions=SUBSCRIPTIONS,
    platform_migrations=PLATFORM_WITH_ORGANISATIONS,
)


def main() -> None:
    cli(DEFINITION)
