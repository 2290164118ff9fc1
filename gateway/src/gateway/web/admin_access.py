"""Who may open a task's pages (Organisation Details, Contacts: seed 003; and every task since): a
logged-in person whose role gives the task (as on the home page, web/tasks.py). Making a change, or
asking the council for one, also needs Edit access. The service checks all of it again on every call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from gateway.identity_client import IdentityError
from gateway.service_problems import ServiceUnavailable
from gateway.web.branding import Branding
from gateway.web.page_problem import PageProblem
from gateway.web.session import SignedIn, identity, viewer_of
from gateway.web.tasks import NAMES, TaskId, access_text, tasks_of_role
from shared.problems import Problem


async def task_viewer(request: Request, branding: Branding, task: TaskId) -> SignedIn | Response:
    """The logged-in person if they may open `task`'s pages (else the 403 page, or the redirect to make)."""
    user = await viewer_of(request, branding.slug)
    if not isinstance(user, SignedIn):
        return user
    viewer = user.viewer
    if task not in tasks_of_role(viewer.role):
        title = NAMES[task]
        # A role is changed by a contact change request (Contacts, seed 003), which these roles make.
        raise PageProblem(
            403,
            f"You do not have access to {title}",
            detail=f"Your access ({access_text(viewer.role, can_edit=viewer.can_edit)}) does not include "
            f"{title}. Ask a colleague with Admin Functions or Full Access to request a change of your role.",
        )
    return user


async def editor_viewer(
    request: Request, branding: Branding, task: TaskId, what: str, *, cannot: str
) -> SignedIn | Response:
    """As `task_viewer`, and with Edit access: a read-only login gets the 403 page, "You can see {what}
    but not {cannot}." (`cannot` in the task's words: "request changes to them" only where a change is
    a request to the council, "confirm or dispute them" for scheduled payments)."""
    user = await task_viewer(request, branding, task)
    if isinstance(user, SignedIn) and not user.viewer.can_edit:
        raise PageProblem(
            403,
            "Your access is read only",
            detail=f"You can see {what} but not {cannot}. Ask a colleague with Edit access to do it for you.",
        )
    return user


@dataclass(frozen=True)
class TaskAccess:
    """A task's two doors: `viewer` (may open its pages) and `editor` (may also change; `what` names
    what a read-only login can see and `cannot` what it cannot do, in the 403 page's words)."""

    task: TaskId
    what: str
    cannot: str

    async def viewer(self, request: Request, branding: Branding) -> SignedIn | Response:
        return await task_viewer(request, branding, self.task)

    async def editor(self, request: Request, branding: Branding) -> SignedIn | Response:
        return await editor_viewer(request, branding, self.task, self.what, cannot=self.cannot)


# identity's lists come in pages (default 50); a page asks for the most one can hold, more than one
# organisation's contacts, contracts or requests come to (docs/adr/0011-paging.md).
WHOLE_LIST = "limit=500"


async def read(request: Request, user: SignedIn, path: str) -> Any:
    """identity's provider API at `path` for the logged-in person; a refusal becomes the page's error."""
    try:
        return await identity(request).provider_get(path, token=user.token)
    except IdentityError as exc:
        raise page_problem(exc) from exc


def page_problem(exc: IdentityError) -> Problem:
    """identity's refusal of a page's read as the page's error (its own words for 403 and 404)."""
    if exc.status >= 500:
        return ServiceUnavailable("identity")
    if exc.status in {403, 404}:
        return PageProblem(exc.status, str(exc.body.get("title") or "Forbidden"), detail=str(exc))
    return Problem(exc.status, str(exc.body.get("title") or "Error"), detail=str(exc))


def day(value: object) -> str:
    """An ISO timestamp from identity as the pages show dates: "28 November 2026"."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return f"{moment.day} {moment:%B %Y}"
