"""Error pages for people: 403, 404, 500 (and the rarer ones) in the portal's style, with the request id
to quote to support. API paths keep their problem+json answers (shared/problems.py) untouched.

No page links to a task whose area is not built (web/areas.py), but an old bookmark may: when no route
answers /<authority>/<task> of a known task, the 404 handler shows the "not available yet" page instead,
with status 200 (the address is the task's own; it will serve the task once built). Any route
registered later wins over it by construction, wherever it is registered.
Someone logged in keeps Home and Log Out on every error page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.service_problems import ServiceUnavailable
from gateway.web.branding import PORTAL, Branding
from gateway.web.page_problem import PageProblem
from gateway.web.rendering import WebPortal
from gateway.web.security_headers import security_headers
from gateway.web.session import look_up_viewer
from gateway.web.tasks import NAMES, TaskId
from gateway.web.unavailable import unavailable_text
from shared.logging import get_logger
from shared.problems import Problem

log = get_logger(__name__)
API_PREFIXES = ("/api/", "/council/")
Handler = Callable[[Request, Exception], Awaitable[Response]]

# What a person reads for each status; a service's technical detail is never shown on a page.
PAGES: dict[int, tuple[str, str]] = {
    400: ("There is a problem with this request", "Go back and try again."),
    403: ("You do not have permission to see this page", "If you think you should, contact support."),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted the web "
        "address, check you copied the entire address.",
    ),
    405: ("There is a problem with this request", "Go back and try again."),
    413: ("What you sent is too large", "Go back and send something smaller."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    502: ("Sorry, the service is unavailable", "Try again later."),
    503: ("Sorry, the service is unavailable", "Try again later."),
    504: ("Sorry, the service is unavailable", "Try again later."),
}


def is_page_request(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIXES)


def install_error_pages(app: FastAPI) -> None:
    """Wrap each problem+json handler so that page requests get a page instead."""
    for exc_class in (Problem, StarletteHTTPException, RequestValidationError, Exception):
        api_handler = app.exception_handlers.get(exc_class)
        app.add_exception_handler(exc_class, _page_or(api_handler))


def _page_or(api_handler: Any) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if not is_page_request(request) and api_handler is not None:
            response: Response = await api_handler(request, exc)
            return response
        return await error_page(request, exc)

    return handle


async def error_page(request: Request, exc: Exception) -> Response:
    portal: WebPortal = request.app.state.web
    status, title, detail = _describe(exc)
    branding = await _branding_of(request, portal)
    await look_up_viewer(request)
    if status == 404 and branding is not PORTAL:
        task = _known_task(_second_segment(request))
        if task is not None:
            return portal.render(request, "not_available.html", branding=branding, feature=NAMES[task])
    unhandled = not isinstance(exc, (StarletteHTTPException, RequestValidationError, Problem))
    if unhandled:
        log.exception("unhandled_error", path=request.url.path)
    response = portal.render(
        request,
        "error.html",
        branding=branding,
        status_code=status,
        status=status,
        title=title,
        detail=detail,
    )
    if unhandled:
        # Starlette answers an unhandled exception from ServerErrorMiddleware, outside every other
        # middleware: add what the security-headers and request-id middlewares would have.
        response.headers.update(security_headers(https=request.app.state.gateway_settings.https))
        response.headers["cache-control"] = "no-store"
        response.headers["x-request-id"] = getattr(request.state, "request_id", "")
    if exc_headers := getattr(exc, "headers", None):
        response.headers.update(exc_headers)
    return response


def _describe(exc: Exception) -> tuple[int, str, str]:
    if isinstance(exc, ServiceUnavailable):
        return (exc.status, *unavailable_text(exc.service))
    if isinstance(exc, PageProblem):
        return exc.status, exc.title, exc.detail or ""
    if isinstance(exc, Problem):
        status = exc.status
    elif isinstance(exc, StarletteHTTPException):
        status = exc.status_code
    elif isinstance(exc, RequestValidationError):
        status = 400
    else:
        status = 500
    title, detail = PAGES.get(status) or (_phrase(status), "Go back and try again.")
    return status, title, detail


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "There is a problem"


def _known_task(segment: str) -> TaskId | None:
    try:
        return TaskId(segment)
    except ValueError:
        return None


def _segments(request: Request) -> list[str]:
    return [s for s in request.url.path.split("/") if s]


def _second_segment(request: Request) -> str:
    segments = _segments(request)
    return segments[1] if len(segments) == 2 else ""


async def _branding_of(request: Request, portal: WebPortal) -> Branding:
    """The authority the address belongs to, so an error page keeps its header and support contact."""
    segments = _segments(request)
    if not segments:
        return PORTAL
    try:
        return await portal.branding.get(segments[0]) or PORTAL
    except Exception:  # a failing branding source must not turn an error page into another error
        log.warning("branding_unavailable_for_error_page", path=request.url.path)
        return PORTAL
