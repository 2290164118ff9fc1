"""Who may open the One-Off Claims pages (the roles with the one-off-claims capability: Finance, Full
Access and Main, as on the home page), whether the provider's authority takes claims at all (the home
card and the list follow the service's /offer), and the ids in the addresses: a malformed id is simply
"Page not found" (the service checks again that what is named is the caller's)."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import Response

from gateway.web.admin_access import editor_viewer, task_viewer
from gateway.web.branding import Branding
from gateway.web.claims import service
from gateway.web.page_problem import PageProblem
from gateway.web.session import SignedIn
from gateway.web.tasks import TaskId

NOT_FOUND = PageProblem(
    404,
    "Page not found",
    detail="If you typed the web address, check it is correct. If you pasted the web address, check you"
    " copied the entire address.",
)
KINDS = ("client", "provider")


async def viewer(request: Request, branding: Branding) -> SignedIn | Response:
    return await task_viewer(request, branding, TaskId.one_off_claims)


async def editor(request: Request, branding: Branding) -> SignedIn | Response:
    return await editor_viewer(request, branding, TaskId.one_off_claims, "your claims")


async def offered(request: Request, user: SignedIn) -> bool:
    """Whether the provider's authority takes one-off claims through the portal (the home card's hook,
    web/areas.py Offered: its caller bounds the wait and hides the card on any error)."""
    answer = await service.client(request).call("GET", service.path("offer"), token=user.token)
    return bool(answer.get("offered")) if isinstance(answer, dict) else False


def an_id(raw: str) -> str:
    """A uuid from the address, as the service names it; anything else is not a page."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise NOT_FOUND from None


def a_kind(raw: str | None) -> str:
    if raw not in KINDS:
        raise NOT_FOUND
    return raw
