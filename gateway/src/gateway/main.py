"""Composition root of the gateway: `python -m gateway`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import jinja2
from fastapi import FastAPI
from starlette.middleware import Middleware

from gateway import docs, login, proxy, web
from gateway.body_limit import BodyLimitMiddleware
from gateway.config import Settings
from gateway.identity_client import IdentityClient
from gateway.sessions import TokenCache
from shared.auth import TokenVerifier
from shared.http import create_app
from shared.logging import configure_logging, get_logger
from shared.settings import load_settings
from shared.telemetry import configure_telemetry, flush_telemetry

log = get_logger(__name__)
TEMPLATES = Path(__file__).parent / "templates"


def create_gateway(settings: Settings) -> FastAPI:
    upstreams = settings.upstreams()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.upstream_read_timeout, connect=settings.upstream_connect_timeout)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            app.state.upstream_client = client
            secret = settings.identity_secret.get_secret_value() if settings.identity_secret else ""
            app.state.identity = IdentityClient(
                client,
                base_url=upstreams["identity"],
                secret=secret,
                hashing_lane=settings.identity_hashing_lane,
                hashing_wait_seconds=settings.identity_hashing_wait_seconds,
            )
            log.info("gateway_started", port=settings.http_port, upstreams=upstreams)
            try:
                yield
            finally:
                flush_telemetry()

    async def upstreams_alive() -> bool:
        client: httpx.AsyncClient = app.state.upstream_client
        answers = await asyncio.gather(
            *(client.get(f"{url}/healthz", timeout=1.0) for url in upstreams.values()), return_exceptions=True
        )
        return all(isinstance(a, httpx.Response) and a.status_code == 200 for a in answers)

    app = create_app(
        service="gateway",
        title="Provider Portal gateway",
        routers=[docs.router, login.router, proxy.router],
        readiness={"upstreams": upstreams_alive},
        lifespan=lifespan,
        docs=False,
        internal=(settings.metrics_host, settings.metrics_port),
    )
    app.state.upstreams = upstreams
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
    # Innermost (appended, not add_middleware's outermost), so the request id is set when it answers.
    app.user_middleware.append(
        Middleware(BodyLimitMiddleware, default=settings.body_limit_bytes, upload=settings.upload_limit_bytes)
    )
    return app


def main() -> None:
    import uvicorn

    settings = load_settings(Settings)
    configure_logging(service="gateway", level=settings.log_level, json=settings.log_json)
    configure_telemetry(service="gateway", otlp_endpoint=settings.otlp_endpoint)
    # proxy_headers off: uvicorn would otherwise believe X-Forwarded-For from any loopback peer; the
    # gateway reads it itself, from its trusted proxies only (gateway.client_address).
    uvicorn.run(
        create_gateway(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        proxy_headers=False,
    )
