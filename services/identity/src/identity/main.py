"""Composition root of the identity service: `python -m identity api|worker|migrate`."""

from pathlib import Path

from shared.service import ServiceDefinition, cli

from identity.api import ROUTERS
from identity.config import Settings

DEFINITION = ServiceDefinition(
    name="identity",
    title="Provider Portal — Identity",
    settings_cls=Settings,
    service_dir=Path(__file__).resolve().parents[2],
    routers=ROUTERS,
)


def main() -> None:
    cli(DEFINITION)
