"""The home page, "Pick a task...": the built areas' tasks that the user's role may use.

account/pages.py renders it from the session's user (identity's who-am-I); a login linked to several
organisations also gets the organisation switcher.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from gateway.web.branding import Branding
from gateway.web.rendering import WebPortal
from gateway.web.session import SignedIn
from gateway.web.tasks import TaskId, access_text, tasks_for, tasks_of_role
from gateway.web.viewer import Viewer


async def card_notes(portal: WebPortal, request: Request, user: SignedIn) -> dict[TaskId, str]:
    """The notes of the cards this user sees (the areas ask their services, briefly)."""
    return await portal.areas.card_notes(request, user, sorted(tasks_of_role(user.viewer.role)))


async def hidden_tasks(portal: WebPortal, request: Request, user: SignedIn) -> frozenset[TaskId]:
    """The tasks this user's role may use but whose areas do not offer them here (web/areas.py Offered)."""
    return await portal.areas.hidden_tasks(request, user, sorted(tasks_of_role(user.viewer.role)))


def render_home(
    portal: WebPortal,
    request: Request,
    *,
    branding: Branding,
    viewer: Viewer,
    organisations: Sequence[dict[str, Any]] = (),
    organisation_id: str | None = None,
    notice: str | None = None,
    notes: Mapping[TaskId, str] | None = None,
    hidden: frozenset[TaskId] = frozenset(),
) -> HTMLResponse:
    """`organisations`: every organisation the login is linked to (identity's `organisations`), the
    switcher shown when there are several; `notice`: a success message (e.g. the password changed);
    `notes`: lines under some cards (web/areas.py CardNote); `hidden`: tasks not offered to this user."""
    catalogue = [task for task in portal.areas.tasks if task.id not in hidden]
    cards = tasks_for(viewer.role, catalogue=catalogue, authority_slug=branding.slug, notes=notes)
    return portal.render(
        request,
        "account/home.html",
        branding=branding,
        viewer=viewer,
        access=access_text(viewer.role, can_edit=viewer.can_edit),
        tasks=cards,
        organisations=organisations if len(organisations) > 1 else (),
        organisation_id=organisation_id,
        notice=notice,
    )
