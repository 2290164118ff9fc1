"""The gateway's client of identity's internal API: the login journey, sessions, API keys.

For the pages too: each method returns identity's JSON or raises `IdentityError` carrying identity's
problem (status, body, Retry-After), which `IdentityError.response()` relays to the browser as is.
The gateway secret goes with every call; the browser's address goes as X-Forwarded-For.

The calls that make identity run argon2id (a password checked or set: tens of ms of CPU each) go through
a lane of a few at a time. A burst of logins then waits here, holding no upstream connection, instead of
taking every connection of the shared pool while identity works through its hashing queue: a cheap call
(a page, a token exchange) always finds a connection and an answer in milliseconds (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import Request
from fastapi.responses import JSONResponse

from shared.http import current_request_id
from shared.logging import get_logger
from shared.problems import PROBLEM_JSON, problem_response

log = get_logger(__name__)
PREFIX = "/internal/v1/identity"
PROVIDER = "/api/v1/identity"
ME = PROVIDER + "/me"
BUSY = "urn:provider-portal:problem:hashing-lane-full"
# Every identity route that hashes or verifies a password, called by this client or through the proxy.
HASHING_ROUTES = re.compile(
    r"/internal/v1/identity/login(/password)?"
    r"|/api/v1/identity/me/(password|security-code)"
    r"|/council/v1/identity/users(/[^/]+/password-reset)?"
    r"|/council/v1/identity/contact-requests/[^/]+/approve"
)


class IdentityError(Exception):
    """identity answered with a problem (or could not be reached: status 503)."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(body.get("detail") or body.get("title") or str(status))
        self.status = status
        self.body = body
        self.headers = headers or {}

    @property
    def type(self) -> str:
        return str(self.body.get("type", "about:blank"))

    def response(self, request: Request) -> JSONResponse:
        if self.status >= 500:
            # Identity's own 5xx detail stays inside; only the gateway's "busy" answer is shown.
            busy = self.type == BUSY
            return problem_response(
                request,
                503,
                "Service Unavailable",
                detail=str(self.body["detail"]) if busy else "Logging in is not possible just now.",
                type_=BUSY if busy else "about:blank",
                headers={k: v for k, v in self.headers.items() if k == "retry-after"},
            )
        body = {**self.body, "instance": request.url.path}
        if "request_id" in body:  # the gateway's, whatever identity used
            body["request_id"] = request.state.request_id
        return JSONResponse(body, status_code=self.status, media_type=PROBLEM_JSON, headers=self.headers)


def lane_full(waited: float) -> IdentityError:
    """A call that waited its time for the hashing lane: the caller should come back in a moment."""
    return IdentityError(
        503,
        {
            "type": BUSY,
            "title": "Service Unavailable",
            "detail": "Too many people are logging in just now: try again shortly.",
        },
        headers={"retry-after": str(max(1, round(waited / 2)))},
    )


class IdentityClient:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        secret: str,
        hashing_lane: int,
        hashing_wait_seconds: float = 15.0,
    ) -> None:
        self._client = client
        self._root = base_url.rstrip("/")
        self._base = self._root + PREFIX
        self._secret = secret
        self._hashing = asyncio.Semaphore(hashing_lane)
        self._hashing_wait = hashing_wait_seconds

    @contextlib.asynccontextmanager
    async def _in_lane(self) -> AsyncIterator[None]:
        """A place in the hashing lane, or `lane_full` once the wait is over: a burst larger than the
        lane can clear in that time is answered 503 with Retry-After rather than queued without end."""
        try:
            await asyncio.wait_for(self._hashing.acquire(), timeout=self._hashing_wait)
        except TimeoutError:
            log.warning("identity_hashing_lane_full", waited=self._hashing_wait)
            raise lane_full(self._hashing_wait) from None
        try:
            yield
        finally:
            self._hashing.release()

    async def _post(self, path: str, body: dict[str, Any], *, address: str | None) -> dict[str, Any]:
        if not self._secret:
            log.warning("identity_secret_missing", path=path)
            raise IdentityError(503, {"title": "Service Unavailable"})
        headers = {"x-gateway-secret": self._secret}
        if address:
            headers["x-forwarded-for"] = address
        return await self._send("POST", self._base + path, body, headers)

    @contextlib.asynccontextmanager
    async def lane_for(self, method: str, path: str) -> AsyncIterator[None]:
        """The hashing lane around a call to identity that hashes a password; nothing for any other
        call. Every call goes through here: this client's own and the proxy's."""
        if method != "POST" or HASHING_ROUTES.fullmatch(path) is None:
            yield
            return
        async with self._in_lane():
            yield

    async def _send(
        self, method: str, url: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> dict[str, Any]:
        path = url.removeprefix(self._root)
        request_id = current_request_id()
        if request_id:  # identity logs and answers with the gateway's id
            headers = {**headers, "x-request-id": request_id}
        try:
            async with self.lane_for(method, path):
                response = await self._client.request(method, url, json=body, headers=headers, timeout=10.0)
        except httpx.HTTPError as exc:
            log.warning("identity_unreachable", path=path, error=type(exc).__name__)
            raise IdentityError(503, {"title": "Service Unavailable"}) from exc
        if response.status_code == 204:
            return {}
        try:
            data: dict[str, Any] = response.json()
        except ValueError:
            data = {"title": "Bad Gateway"}
        if response.status_code >= 400:
            keep = {
                k: v for k, v in response.headers.items() if k.lower() in {"retry-after", "www-authenticate"}
            }
            raise IdentityError(response.status_code, data, keep)
        return data

    async def authorities(self) -> list[dict[str, Any]]:
        """Every authority's slug, name, colours, support contact and password rules."""
        try:
            response = await self._client.get(
                self._base + "/authorities", headers={"x-gateway-secret": self._secret}, timeout=5.0
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise IdentityError(503, {"title": "Service Unavailable"}) from exc
        data: list[dict[str, Any]] = response.json()
        return data

    # The login journey (docs/identity-api.md).
    async def start_login(
        self, *, authority: str, email: str, password: str, address: str | None
    ) -> dict[str, Any]:
        body = {"authority": authority, "email": email, "password": password}
        return await self._post("/login", body, address=address)

    async def journey_state(self, *, journey_id: str, address: str | None) -> dict[str, Any]:
        return await self._post("/login/state", {"journey_id": journey_id}, address=address)

    async def change_password(
        self, *, journey_id: str, new_password: str, confirm_password: str, address: str | None
    ) -> dict[str, Any]:
        body = {"journey_id": journey_id, "new_password": new_password, "confirm_password": confirm_password}
        return await self._post("/login/password", body, address=address)

    async def set_security_code(
        self, *, journey_id: str, new_code: str, confirm_code: str, address: str | None
    ) -> dict[str, Any]:
        body = {"journey_id": journey_id, "new_code": new_code, "confirm_code": confirm_code}
        return await self._post("/login/security-code", body, address=address)

    async def answer_challenge(
        self, *, journey_id: str, digits: list[str], address: str | None
    ) -> dict[str, Any]:
        return await self._post(
            "/login/challenge", {"journey_id": journey_id, "digits": digits}, address=address
        )

    async def request_password_reset(self, *, form: dict[str, str], address: str | None) -> dict[str, Any]:
        return await self._post("/password-reset-requests", form, address=address)

    # Sessions and API keys.
    async def session_token(self, *, session_id: str) -> dict[str, Any]:
        return await self._post("/sessions/token", {"session_id": session_id}, address=None)

    async def logout(self, *, session_id: str, address: str | None) -> None:
        await self._post("/sessions/logout", {"session_id": session_id}, address=address)

    async def switch_organisation(
        self, *, session_id: str, organisation_id: uuid.UUID, address: str | None
    ) -> dict[str, Any]:
        body = {"session_id": session_id, "organisation_id": str(organisation_id)}
        return await self._post("/sessions/organisation", body, address=address)

    async def api_key_token(self, *, api_key: str) -> dict[str, Any]:
        return await self._post("/api-keys/token", {"api_key": api_key}, address=None)

    # The caller's own account (the provider API, with the session's token): docs/identity-api.md section 3.
    async def me(self, *, token: str) -> dict[str, Any]:
        return await self._send("GET", self._root + ME, None, {"authorization": f"Bearer {token}"})

    async def change_my_password(self, *, token: str, form: dict[str, str], address: str | None) -> None:
        await self._send("POST", self._root + ME + "/password", form, _bearer(token, address))

    async def change_my_security_code(self, *, token: str, form: dict[str, str], address: str | None) -> None:
        await self._send("POST", self._root + ME + "/security-code", form, _bearer(token, address))

    # The organisation's details and contacts (the provider API, with the session's token): section 4.
    async def provider_get(self, path: str, *, token: str) -> Any:
        """GET /api/v1/identity/<path> as the logged-in person (a list or an object)."""
        return await self._send("GET", f"{self._root}{PROVIDER}/{path}", None, _bearer(token, None))

    async def provider_post(
        self, path: str, body: dict[str, Any], *, token: str, address: str | None
    ) -> dict[str, Any]:
        return await self._send("POST", f"{self._root}{PROVIDER}/{path}", body, _bearer(token, address))


def _bearer(token: str, address: str | None) -> dict[str, str]:
    headers = {"authorization": f"Bearer {token}"}
    if address:
        headers["x-forwarded-for"] = address
    return headers
