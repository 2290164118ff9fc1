"""The web portal of the gateway: pages on GOV.UK Frontend, council branding, CSRF, security headers.

The pages are organised by area (web/<area>/, each with its routes and templates). Only the areas listed
in BUILT exist for people: they alone put task cards on the home page, lines on the landing page and
questions on the help page (web/areas.py).

`install` wires it into the gateway app (called once from the composition root, gateway/main.py).
"""

from __future__ import annotations

import secrets

from fastapi import FastAPI

from gateway.config import Settings
from gateway.service_client import Fetched
from gateway.service_problems import unavailable as identity_unavailable_error
from gateway.web import (
    account,
    actions,
    actuals,
    assets,
    claims,
    contacts,
    cplis,
    dev_mail,
    help,
    invoices,
    login,
    organisation,
    public,
    purchase_orders,
    reports,
    scheduled_payments,
)
from gateway.web.areas import Areas
from gateway.web.assets import Assets
from gateway.web.branding import BrandingSource
from gateway.web.branding_source import IdentityBrandingSource
from gateway.web.csrf import CsrfProtection
from gateway.web.errors import install_error_pages
from gateway.web.rendering import WebPortal, template_environment
from gateway.web.security_headers import SecurityHeadersMiddleware
from shared.logging import get_logger
from shared.settings import Environment

log = get_logger(__name__)
# In the order their routes are tried: the public pages' /{slug}/ comes last.
BUILT = Areas(
    (
        login.AREA,
        account.AREA,
        organisation.AREA,
        contacts.AREA,
        claims.AREA,
        invoices.AREA,
        scheduled_payments.AREA,
        actuals.AREA,
        cplis.AREA,
        purchase_orders.AREA,
        reports.AREA,
        actions.AREA,
        help.AREA,
        public.AREA,
    ),
)


def install(
    app: FastAPI, settings: Settings, *, branding: BrandingSource | None = None, areas: Areas = BUILT
) -> WebPortal:
    static = Assets.load()
    portal = WebPortal(
        templates=template_environment(app.state.templates, static, areas),
        branding=branding or identity_branding(app, settings),
        csrf=CsrfProtection(
            secret=_csrf_secret(settings), secure_cookie=settings.environment is Environment.production
        ),
        assets=static,
        areas=areas,
    )
    app.state.web = portal
    app.include_router(assets.router)
    if settings.environment is Environment.development and settings.dev_mail_folder is not None:
        app.include_router(dev_mail.router)  # before the areas' /{slug}/... routes
    for router in areas.routers():
        app.include_router(router)
    install_error_pages(app)
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https)
    return portal


def identity_branding(app: FastAPI, settings: Settings) -> IdentityBrandingSource:
    """Branding read from identity's internal API through the gateway's client of identity."""

    async def fetch(path: str) -> Fetched:
        services = getattr(app.state, "services", None)
        if services is None:  # made when the app starts: an app never started reads no branding
            raise identity_unavailable_error("identity")
        try:
            answer: Fetched = await services["identity"].fetch(path)
        except RuntimeError as exc:  # its client not started yet (an app served without its lifespan)
            raise identity_unavailable_error("identity") from exc
        return answer

    return IdentityBrandingSource(fetch, ttl_seconds=settings.branding_cache_seconds)


def _csrf_secret(settings: Settings) -> bytes:
    if settings.csrf_secret is not None:
        return settings.csrf_secret.get_secret_value().encode()
    # Production refuses to start without one (gateway.config); elsewhere one replica makes its own.
    log.info("csrf_secret_generated", reason="no GATEWAY_CSRF_SECRET outside production")
    return secrets.token_bytes(32)
