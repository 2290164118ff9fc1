"""The web portal of the gateway: pages on GOV.UK Frontend, council branding, CSRF, security headers.

`install` wires it into the gateway app (called once from the composition root, gateway/main.py).
"""

from __future__ import annotations

import secrets

from fastapi import FastAPI

from gateway.config import Settings
from gateway.web import (
    account,
    assets,
    contact_changes,
    contacts,
    credentials,
    forgotten_password,
    login_pages,
    organisation,
    pages,
)
from gateway.web.assets import Assets
from gateway.web.branding import DEMO_BRANDINGS, BrandingSource, StaticBrandingSource
from gateway.web.csrf import CsrfProtection
from gateway.web.errors import install_error_pages
from gateway.web.rendering import WebPortal, template_environment
from gateway.web.security_headers import SecurityHeadersMiddleware
from shared.logging import get_logger
from shared.settings import Environment

log = get_logger(__name__)


def install(app: FastAPI, settings: Settings, *, branding: BrandingSource | None = None) -> WebPortal:
    static = Assets.load()
    portal = WebPortal(
        templates=template_environment(app.state.templates, static),
        branding=branding or StaticBrandingSource(DEMO_BRANDINGS),
        csrf=CsrfProtection(
            secret=_csrf_secret(settings), secure_cookie=settings.environment is Environment.production
        ),
        assets=static,
    )
    app.state.web = portal
    app.include_router(assets.router)
    app.include_router(forgotten_password.router)
    app.include_router(login_pages.router)
    app.include_router(account.router)
    app.include_router(credentials.router)
    app.include_router(organisation.router)
    app.include_router(contacts.router)
    app.include_router(contact_changes.router)
    app.include_router(pages.router)
    install_error_pages(app)
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https)
    return portal


def _csrf_secret(settings: Settings) -> bytes:
    if settings.csrf_secret is not None:
        return settings.csrf_secret.get_secret_value().encode()
    # Production refuses to start without one (gateway.config); elsewhere one replica makes its own.
    log.info("csrf_secret_generated", reason="no GATEWAY_CSRF_SECRET outside production")
    return secrets.token_bytes(32)
