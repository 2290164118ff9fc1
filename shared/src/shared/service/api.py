"""`python -m <service> api`: the service's FastAPI app with its runtime, token verification, probes and
metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from shared.auth import TokenVerifier
from shared.http import create_app
from shared.logging import get_logger
from shared.service.definition import ServiceDefinition
from shared.service.runtime import Runtime, close_runtime, open_runtime
from shared.settings import ServiceSettings
from shared.telemetry import flush_telemetry

log = get_logger(__name__)


def token_verifier(settings: ServiceSettings) -> TokenVerifier | None:
    if not settings.token_jwks_json and not settings.token_jwks_url:
        return None
    return TokenVerifier(
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        jwks_json=settings.token_jwks_json,
        jwks_url=settings.token_jwks_url,
    )


def create_api(definition: ServiceDefinition, settings: ServiceSettings) -> FastAPI:
    holder: dict[str, Runtime] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await open_runtime(definition, settings)
        holder["runtime"] = runtime
        app.state.runtime = runtime
        app.state.token_verifier = token_verifier(settings)
        if definition.on_api_start is not None:
            await definition.on_api_start(runtime, app)
        log.info("api_started", port=settings.http_port)
        try:
            yield
        finally:
            if definition.on_api_stop is not None:
                await definition.on_api_stop(runtime, app)
            await close_runtime(runtime)
            flush_telemetry()

    async def db_ready() -> bool:
        return "runtime" in holder and await holder["runtime"].db_ready()

    async def broker_ready() -> bool:
        return "runtime" in holder and await holder["runtime"].broker_ready()

    from shared.operations import operations_router  # it depends on shared.service's Runtime

    operations = [operations_router(definition.name)] if definition.consumes else []
    return create_app(
        service=definition.name,
        title=definition.title,
        routers=[*definition.routers, *operations],
        readiness={"database": db_ready, "broker": broker_ready},
        lifespan=lifespan,
        internal=(settings.metrics_host, settings.metrics_port),
    )
