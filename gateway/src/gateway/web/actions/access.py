"""Who may open the Actions and Change Requests pages (the roles with the actions capability: Care
Management, Full Access and Main, as on the home page; writing needs Edit) and the ids in the addresses:
a malformed id is simply "Page not found" (messaging checks again that the action is the caller's)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request

from gateway.web.admin_access import TaskAccess
from gateway.web.page_problem import NOT_FOUND, an_id
from gateway.web.return_to import RETURN_TO
from gateway.web.tasks import TaskId, tasks_of_role
from gateway.web.viewer import Viewer

ACCESS = TaskAccess(TaskId.actions, "your actions", "start or answer them")
viewer, editor = ACCESS.viewer, ACCESS.editor

__all__ = ["NOT_FOUND", "an_id", "editor", "may_message", "message_href", "viewer"]


def may_message(person: Viewer) -> bool:
    """Whether a "Send a message about this" link can lead this person somewhere: their role gives
    Actions and they have Edit access (a New Action is a change)."""
    return TaskId.actions in tasks_of_role(person.role) and person.can_edit


NEW_ACTION = "/{slug}/actions/new"


def built(request: Request) -> bool:
    """Whether this gateway serves the Actions pages (its areas, app.state.web: the app's route list
    cannot say, FastAPI keeps an included router's routes inside it)."""
    portal = getattr(request.app.state, "web", None)
    return portal is not None and any(area.name == "actions" for area in portal.areas.built)


def message_href(request: Request, person: Viewer, slug: str, *, return_to: str, **about: str) -> str | None:
    """The "Send a message about this" link of another area's page (a CPLI line, a scheduled payment,
    a claim): New Action pre-filled from `about` (its ids are checked again there), its Back and
    Cancel leading to `return_to` (the page's own address), or None where this person could not send
    one or the pages are not built into this gateway."""
    if not may_message(person):
        return None
    if not built(request):
        return None
    return NEW_ACTION.format(slug=slug) + "?" + urlencode({**about, RETURN_TO: return_to})
