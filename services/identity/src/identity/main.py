"""Composition root of the identity service: `python -m identity api|worker|migrate`."""

from pathlib import Path

from fastapi import FastAPI

from identity import keys
from identity.api import ROUTERS
from identity.config import Settings
from shared.auth import jwks_document
from shared.service import Runtime, ServiceDefinition, cli


async def on_api_start(runtime: Runtime, app: FastAPI) -> None:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    signing = keys.signing_keys(settings)
    app.state.signing_key = signing[0]
    app.state.jwks = jwks_document(signing)


DEFINITION = ServiceDefinition(
    name="identity",
    title="Provider Portal — Identity",
    settings_cls=Settings,
    service_dir=Path(__file__).resolve().parents[2],
    routers=[*ROUTERS, keys.router],
    on_api_start=on_api_start,
)


def main() -> None:
    cli(DEFINITION)
