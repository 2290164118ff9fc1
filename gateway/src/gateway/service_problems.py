"""What goes wrong with a call to a service, as the gateway answers it: the service's own problem
relayed (`ServiceError`), a service that cannot be reached (503 naming it), a lane that stayed full
(503 with Retry-After), and `ServiceUnavailable` for the pages and calls that need a service that is down.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from gateway.lanes import BUSY, LaneFull
from shared.errors import PROBLEM_BASE
from shared.problems import PROBLEM_JSON, Problem, problem_response


class ServiceError(Exception):
    """A service answered with a problem, or could not be reached (status 503)."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None, *, service: str = ""
    ) -> None:
        super().__init__(body.get("detail") or body.get("title") or str(status))
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.service = service

    @property
    def type(self) -> str:
        return str(self.body.get("type", "about:blank"))

    @property
    def code(self) -> str | None:
        """The service's stable code of the problem ("stale-version"), None when it gave none."""
        return self.type.removeprefix(PROBLEM_BASE) if self.type.startswith(PROBLEM_BASE) else None

    @property
    def stale(self) -> bool:
        """Another change came first: the version the page was opened at is no longer the latest (every
        service says so with the code `stale-version`)."""
        return self.code == "stale-version"

    def response(self, request: Request) -> JSONResponse:
        """The problem as the gateway's answer: a 4xx as the service gave it; a 5xx as a 503 naming the
        service (its own detail stays inside), or the lane's "come back shortly" as it is."""
        if self.status >= 500:
            busy = self.type == BUSY
            return problem_response(
                request,
                503,
                "Service Unavailable",
                detail=str(self.body["detail"]) if busy else unavailable_detail(self.service),
                type_=BUSY if busy else "about:blank",
                headers={k: v for k, v in self.headers.items() if k == "retry-after"},
            )
        body = {**self.body, "instance": request.url.path}
        if "request_id" in body:  # the gateway's, whatever the service used
            body["request_id"] = request.state.request_id
        return JSONResponse(body, status_code=self.status, media_type=PROBLEM_JSON, headers=self.headers)


def unavailable_detail(service: str) -> str:
    return f"the {service or 'requested'} service is not available just now: try again in a few minutes"


def unavailable(service: str) -> ServiceError:
    return ServiceError(503, {"title": "Service Unavailable"}, service=service)


class ServiceUnavailable(Problem):
    """Raised by a page or call that needs a service which is down: 503 naming the service, as
    problem+json on the API and as the "temporarily unavailable" page for people (web/unavailable.py).
    Only that service's pages and calls fail; the gateway stays ready."""

    def __init__(self, service: str) -> None:
        super().__init__(503, "Service Unavailable", detail=unavailable_detail(service))
        self.service = service


def lane_full(exc: LaneFull, service: str = "") -> ServiceError:
    return ServiceError(
        503,
        {"type": BUSY, "title": "Service Unavailable", "detail": str(exc)},
        headers={"retry-after": str(exc.retry_after)},
        service=service,
    )
