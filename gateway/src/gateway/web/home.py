"""The home page, "Pick a task...": the tasks that the user's role and the authority allow.

web/account.py renders it from the session's user (identity's who-am-I); a login linked to several
organisations also gets the organisation switcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from gateway.web.branding import Branding
from gateway.web.rendering import WebPortal
from gateway.web.tasks import access_text, tasks_for
from shared.auth import Role


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the page, as the pages need it (from the session: web/session.py)."""

    name: str
    organisation_name: str
    role: Role
    can_edit: bool


def render_home(
    portal: WebPortal,
    request: Request,
    *,
    branding: Branding,
    viewer: Viewer,
    open_actions: int,
    organisations: Sequence[dict[str, Any]] = (),
    organisation_id: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    """`organisations`: every organisation the login is linked to (identity's `organisations`), the
    switcher shown when there are several; `notice`: a success message (e.g. the password changed)."""
    cards = tasks_for(
        viewer.role, offered=branding.offered_tasks, authority_slug=branding.slug, open_actions=open_actions
    )
    return portal.render(
        request,
        "home.html",
        branding=branding,
        viewer=viewer,
        access=access_text(viewer.role, can_edit=viewer.can_edit),
        tasks=cards,
        organisations=organisations if len(organisations) > 1 else (),
        organisation_id=organisation_id,
        notice=notice,
    )
