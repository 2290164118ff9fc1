"""Who may open the One-Off Claims pages (the roles with the one-off-claims capability: Finance, Full
Access and Main, as on the home page), whether the provider's authority takes claims at all (the home
card and the list follow the service's /offer), and the ids in the addresses: a malformed id is simply
"Page not found" (the service checks again that what is named is the caller's)."""

from __future__ import annotations

from fastapi import Request

from gateway.web.admin_access import TaskAccess
from gateway.web.claims import service
from gateway.web.page_problem import NOT_FOUND, an_id
from gateway.web.session import SignedIn
from gateway.web.tasks import TaskId

KINDS = ("client", "provider")
ACCESS = TaskAccess(TaskId.one_off_claims, "your claims", "make, change or submit them")
viewer, editor = ACCESS.viewer, ACCESS.editor

__all__ = ["KINDS", "NOT_FOUND", "a_kind", "an_id", "editor", "offered", "viewer"]


async def offered(request: Request, user: SignedIn) -> bool:
    """Whether the provider's authority takes one-off claims through the portal (the home card's hook,
    web/areas.py Offered: its caller bounds the wait and hides the card on any error)."""
    answer = await service.client(request).call("GET", service.path("offer"), token=user.token)
    return bool(answer.get("offered")) if isinstance(answer, dict) else False


def a_kind(raw: str | None) -> str:
    if raw not in KINDS:
        raise NOT_FOUND
    return raw
