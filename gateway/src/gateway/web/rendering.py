"""Rendering a page: the template, the authority's branding, who is logged in (for the navigation),
the CSRF token of its forms, the request id, and the asset URLs, in one call (`render`) that every page
route uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import jinja2
from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from gateway.web.areas import Areas
from gateway.web.assets import Assets
from gateway.web.branding import PORTAL, Branding, BrandingSource
from gateway.web.csrf import FIELD, CsrfProtection
from gateway.web.form_text import require_text_fields
from gateway.web.forms import NO_ERRORS
from gateway.web.session import look_up_viewer


@dataclass
class WebPortal:
    """What page routes need, built once in the composition root (app.state.web)."""

    templates: jinja2.Environment
    branding: BrandingSource
    csrf: CsrfProtection
    assets: Assets
    areas: Areas

    def render(
        self,
        request: Request,
        template: str,
        *,
        branding: Branding = PORTAL,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        # Whoever is logged in sees Home and Log Out on every page (web/session.py looked them up).
        viewer = context.pop("viewer", None) or getattr(request.state, "portal_viewer", None)
        html = self.templates.get_template(template).render(
            branding=branding,
            viewer=viewer,
            authority=None if branding is PORTAL else branding,
            csrf_field=FIELD,
            csrf_token=self.csrf.token(request),
            request_id=getattr(request.state, "request_id", ""),
            errors=context.pop("errors", NO_ERRORS),
            **context,
        )
        response = HTMLResponse(html, status_code=status_code)
        self.csrf.remember_binding(request, response)
        return response


def get_portal(request: Request) -> WebPortal:
    portal: WebPortal = request.app.state.web
    return portal


async def get_branding(slug: str, request: Request) -> Branding:
    """The branding of the authority named by the URL's first segment; 404 for no such authority."""
    branding = await get_portal(request).branding.get(slug)
    if branding is None:
        raise HTTPException(404)
    return branding


Portal = Annotated[WebPortal, Depends(get_portal)]
AuthorityBranding = Annotated[Branding, Depends(get_branding)]


def template_environment(templates: jinja2.Environment, assets: Assets, areas: Areas) -> jinja2.Environment:
    """The gateway's Jinja environment with each area's templates (as "<area>/<name>.html") and the
    portal's globals (asset URLs)."""
    folders = {name: jinja2.FileSystemLoader(path) for name, path in areas.template_folders().items()}
    if templates.loader is not None:
        templates.loader = jinja2.ChoiceLoader([templates.loader, jinja2.PrefixLoader(folders)])
    templates.globals["asset_url"] = assets.url
    templates.globals["assets_version"] = assets.version
    return templates


async def require_csrf(request: Request) -> None:
    """On every page router: unsafe requests must carry their CSRF token and come from this site."""
    await get_portal(request).csrf.verify(request)


def page_router_dependencies() -> list[Any]:
    """Dependencies every router of pages declares (a test checks that every form route has them): a
    form's text is UTF-8 (checked first, while its bytes are still there to see), the CSRF check, and
    who is logged in (for the navigation of every page)."""
    return [Depends(require_text_fields), Depends(require_csrf), Depends(look_up_viewer)]
