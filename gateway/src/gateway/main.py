"""Composition root of the gateway: `python -m gateway`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import jinja2
from fastapi import FastAPI
from starlette.middleware import Middleware

from gateway import docs, login, proxy, web
from gateway.body_limit import BodyLimitMiddleware
from gateway.config import Settings
from gateway.head import HeadAsGet
from gateway.identity_client import IdentityClient, MeCache
from gateway.service_client import ServiceClient, Timeouts
from gateway.sessions import TokenCache
from shared.auth import TokenVerifier
from shared.http import create_app
from shared.logging import configure_logging, get_logger
from shared.loop import settle_garbage_collector
from shared.settings import load_settings
from shared.telemetry import configure_telemetry, flush_telemetry

log = get_logger(__name__)
TEMPLATES = Path(__file__).parent / "templates"


def service_clients(settings: Settings) -> dict[str, ServiceClient]:
    """One client per service in the settings, each with its own pool of connections."""
    timeouts = Timeouts(connect=settings.upstream_connect_timeout, read=settings.upstream_read_timeout)
    secrets = settings.service_secrets()
    return {
        name: ServiceClient(name, url, timeouts=timeouts, secret=secrets.get(name), lanes=settings.lanes())
        for name, url in settings.upstreams().items()
    }


def create_gateway(settings: Settings) -> FastAPI:
    upstreams = settings.upstreams()
    services = service_clients(settings)
    started: dict[str, bool] = {"clients": False}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for client in services.values():
            await client.start()
            client.read_soon()  # its OpenAPI document (lanes, docs), in the background
        started["clients"] = True
        log.info("gateway_started", port=settings.http_port, upstreams=upstreams)
        try:
            yield
        finally:
            started["clients"] = False
            for client in services.values():
                await client.close()
            flush_telemetry()

    async def clients_started() -> bool:
        # The gateway's own readiness: its settings loaded (or it would not have started) and its
        # clients open. Never a service's health: a service that is down answers 503 for its own pages
        # and calls, and must not take the whole portal out of rotation.
        return started["clients"]

    app = create_app(
        service="gateway",
        title="Provider Portal gateway",
        routers=[docs.router, login.router, proxy.router],
        readiness={"clients": clients_started},
        lifespan=lifespan,
        docs=False,
        internal=(settings.metrics_host, settings.metrics_port),
    )
    app.state.services = services
    app.state.identity = IdentityClient(
        services["identity"], me_cache=MeCache(max_entries=settings.token_cache_size)
    )
    app.state.gateway_settings = settings
    app.state.token_cache = TokenCache(
        ttl_seconds=settings.token_cache_seconds, max_entries=settings.token_cache_size
    )
    app.state.templates = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    app.state.token_verifier = TokenVerifier(
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        jwks_json=settings.token_jwks_json,
        jwks_url=settings.token_jwks_url or f"{upstreams['identity']}/.well-known/jwks.json",
    )
    web.install(app, settings)
    # Innermost (appended, not add_middleware's outermost), so the request id is set when it answers;
    # then the proxy's own dispatch, inside every middleware (gateway/proxy.py).
    app.user_middleware.append(
        Middleware(BodyLimitMiddleware, default=settings.body_limit_bytes, upload=settings.upload_limit_bytes)
    )
    app.user_middleware.append(Middleware(proxy.ProxyDispatch))
    app.add_middleware(HeadAsGet)  # outermost: every layer inside sees the GET it answers
    return app


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    import uvicorn

    # No arguments: every setting comes from the environment (docs/configuration.md). The parser is here
    # so that `python -m gateway --help` answers (the image's entry commands are checked with it), and a
    # stray argument is refused rather than ignored.
    argparse.ArgumentParser(
        prog="gateway", description="Provider Portal gateway; settings from GATEWAY_* variables"
    ).parse_args(argv)
    settings = load_settings(Settings)
    configure_logging(service="gateway", level=settings.log_level, json=settings.log_json)
    configure_telemetry(service="gateway", otlp_endpoint=settings.otlp_endpoint)
    # proxy_headers off: uvicorn would otherwise believe X-Forwarded-For from any loopback peer; the
    # gateway reads it itself, from its trusted proxies only (gateway.client_address).
    app = create_gateway(settings)
    settle_garbage_collector()
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        proxy_headers=False,
    )
