"""The public pages: the list of councils, each authority's landing page (which also says "You have
logged out" after a log-out, and lists what the built areas offer), privacy and cookies."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from gateway.web.rendering import AuthorityBranding, Portal, page_router_dependencies

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())


@router.get("/", response_class=HTMLResponse)
async def list_authorities(request: Request, portal: Portal) -> HTMLResponse:
    return portal.render(request, "public/root.html", authorities=await portal.branding.all())


@router.get("/{slug}", include_in_schema=False)
async def redirect_to_landing(slug: str, branding: AuthorityBranding) -> RedirectResponse:
    return RedirectResponse(branding.home_url, status_code=308)


@router.get("/{slug}/", response_class=HTMLResponse)
async def show_landing(request: Request, portal: Portal, branding: AuthorityBranding) -> HTMLResponse:
    logged_out = "logged-out" in request.query_params
    return portal.render(
        request,
        "public/landing.html",
        branding=branding,
        logged_out=logged_out,
        features=portal.areas.landing_lines,
    )


@router.get("/{slug}/privacy", response_class=HTMLResponse)
async def show_privacy(request: Request, portal: Portal, branding: AuthorityBranding) -> HTMLResponse:
    return portal.render(request, "public/privacy.html", branding=branding)
