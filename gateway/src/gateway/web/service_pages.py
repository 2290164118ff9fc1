"""The pages' calls to one service's provider API, as the logged-in person (their internal token),
through the gateway's one client of that service (gateway/service_client.py: its pool, time-outs,
request id and the browser's address). Each area's `service.py` keeps one `ServicePages`.

A read the service refuses becomes the page's error: 404 "Page not found" (another provider's id is a
404, never a 403), 403 the service's words, a service that cannot be reached the "temporarily
unavailable" page. Writes hand the `ServiceError` back to the page, which shows it on its form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from gateway.service_client import ServiceClient
from gateway.service_problems import ServiceError, ServiceUnavailable
from gateway.web.page_problem import PageProblem
from gateway.web.session import SignedIn, address
from shared.problems import Problem


class ServicePages:
    def __init__(self, service: str, prefix: str) -> None:
        self.service = service
        self.prefix = prefix  # e.g. /api/v1/actuals

    def client(self, request: Request) -> ServiceClient:
        services: dict[str, ServiceClient] = request.app.state.services
        return services[self.service]

    def path(self, route: str, **query: Any) -> str:
        """<prefix>/<route>?<query without the empty values>."""
        kept = {k: v for k, v in query.items() if v not in (None, "")}
        return f"{self.prefix}/{route}" + (f"?{urlencode(kept)}" if kept else "")

    async def read(self, request: Request, user: SignedIn, route: str, **query: Any) -> Any:
        """GET a JSON answer; a refusal is the page's error."""
        try:
            return await self.client(request).call("GET", self.path(route, **query), token=user.token)
        except ServiceError as exc:
            raise self.page_problem(exc) from exc

    async def write(
        self, request: Request, user: SignedIn, method: str, route: str, body: Any = None, **query: Any
    ) -> Any:
        """POST, PUT, PATCH or DELETE with JSON; the service's problem comes back as `ServiceError` for
        the form (a service that cannot be reached is still the "temporarily unavailable" page)."""
        try:
            return await self.client(request).call(
                method, self.path(route, **query), body=body, token=user.token, address=address(request)
            )
        except ServiceError as exc:
            if exc.status >= 500:
                raise ServiceUnavailable(self.service) from exc
            raise

    def page_problem(self, exc: ServiceError) -> Problem:
        if exc.status >= 500:
            return ServiceUnavailable(self.service)
        if exc.status == 404:
            return PageProblem(
                404, "Page not found", detail=str(exc.body.get("detail") or "It may have been removed.")
            )
        if exc.status == 403:
            return PageProblem(403, "You do not have permission to see this page", detail=problem_text(exc))
        return PageProblem(
            exc.status, str(exc.body.get("title") or "There is a problem"), detail=problem_text(exc)
        )


def problem_text(exc: ServiceError) -> str:
    """The service's detail (or title) as a sentence."""
    text = str(exc.body.get("detail") or exc.body.get("title") or "There is a problem").strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
