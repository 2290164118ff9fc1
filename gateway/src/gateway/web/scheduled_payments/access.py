"""Who may open the Scheduled Payments pages (the roles with the scheduled-payments capability:
Finance, Full Access and Main, as on the home page; read-only people see but do not confirm), and the
ids in the addresses: a malformed id is simply "Page not found" (the service checks again that the
payment is the caller's)."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import Response

from gateway.web.admin_access import editor_viewer, task_viewer
from gateway.web.branding import Branding
from gateway.web.page_problem import PageProblem
from gateway.web.session import SignedIn
from gateway.web.tasks import TaskId

NOT_FOUND = PageProblem(
    404,
    "Page not found",
    detail="If you typed the web address, check it is correct. If you pasted the web address, check you"
    " copied the entire address.",
)


async def viewer(request: Request, branding: Branding) -> SignedIn | Response:
    return await task_viewer(request, branding, TaskId.scheduled_payments)


async def editor(request: Request, branding: Branding) -> SignedIn | Response:
    return await editor_viewer(request, branding, TaskId.scheduled_payments, "your scheduled payments")


def an_id(raw: str) -> str:
    """A uuid from the address, as the service names it; anything else is not a page."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise NOT_FOUND from None
