"""The help page of each authority (the seeds' "Home | Help"): its support contact and hours, its own
help text, and the questions of the built areas (logging in, passwords, contacts, ...), answered with
the authority's own rules. Open to everyone: most questions come from people who cannot log in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gateway.web.rendering import AuthorityBranding, Portal, page_router_dependencies

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())


@router.get("/{slug}/help", response_class=HTMLResponse)
async def show_help(request: Request, portal: Portal, branding: AuthorityBranding) -> HTMLResponse:
    return portal.render(
        request, "help/help.html", branding=branding, topics=portal.areas.help_topics, nav_active="help"
    )
