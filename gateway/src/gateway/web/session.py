"""Who is logged in, for the pages: the session cookie, exchanged for the internal token (cached like
any API call's), and identity's who-am-I (GET /api/v1/identity/me, docs/identity-api.md section 3).
Also starting and ending a browser's session from a page (the cookie, and a fresh CSRF binding)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from gateway.auth import end_session, session_token
from gateway.client_address import client_address
from gateway.config import Settings
from gateway.identity_client import IdentityClient, IdentityError
from gateway.service_problems import ServiceUnavailable
from gateway.sessions import clear_session_cookie, session_id_from, set_session_cookie
from gateway.web.viewer import Viewer
from shared.auth import Role
from shared.logging import get_logger
from shared.problems import Problem

if TYPE_CHECKING:
    from gateway.web.rendering import WebPortal

log = get_logger(__name__)


def identity(request: Request) -> IdentityClient:
    client: IdentityClient = request.app.state.identity
    return client


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.gateway_settings
    return value


def address(request: Request) -> str | None:
    return client_address(request)


@dataclass(frozen=True)
class SignedIn:
    session_id: str
    token: str
    me: dict[str, Any]

    @property
    def authority_slug(self) -> str:
        return str((self.me.get("authority") or {}).get("slug", ""))

    @property
    def viewer(self) -> Viewer:
        user = self.me.get("user") or {}
        organisation = self.me.get("organisation") or {}
        return Viewer(
            name=f"{user.get('forename', '')} {user.get('surname', '')}".strip()
            or str(user.get("email", "")),
            organisation_name=str(
                organisation.get("name") or (self.me.get("authority") or {}).get("name", "")
            ),
            role=Role(self.me.get("role", "full")),
            can_edit=bool(self.me.get("can_edit")),
            authority_slug=self.authority_slug,
        )

    @property
    def organisations(self) -> list[dict[str, Any]]:
        return list(self.me.get("organisations") or [])

    @property
    def organisation_id(self) -> str | None:
        organisation = self.me.get("organisation") or {}
        return str(organisation["organisation_id"]) if organisation.get("organisation_id") else None


async def signed_in(request: Request) -> SignedIn | None:
    """The logged-in person, or None (no cookie, or the session ended, timed out or was refused).
    Asked once per request: the answer is kept on the request, with the viewer every page shows."""
    if hasattr(request.state, "portal_signed_in"):
        known: SignedIn | None = request.state.portal_signed_in
        return known
    user = await _look_up(request)
    request.state.portal_signed_in = user
    request.state.portal_viewer = user.viewer if user is not None else None
    return user


async def viewer_of(request: Request, slug: str) -> SignedIn | Response:
    """The logged-in person of this authority, or the redirect to make (log in, or their own portal)."""
    user = await signed_in(request)
    if user is None:
        return RedirectResponse(f"/{slug}/login", status_code=303)
    if user.authority_slug and user.authority_slug != slug:
        return RedirectResponse(f"/{user.authority_slug}/home", status_code=303)
    return user


async def look_up_viewer(request: Request) -> None:
    """On every page router (and error page): who is logged in, for the navigation's Home and Log Out.
    Without a session cookie this costs nothing; a failure to find out only leaves them out."""
    if session_id_from(request) is None:
        return
    try:
        await signed_in(request)
    except Exception as exc:  # a public or error page must not fail because identity does
        log.warning("viewer_unknown", error=type(exc).__name__)
        # Only the navigation goes without: a page that needs the person asks again and says why it
        # cannot go on (identity temporarily unavailable), rather than sending them to log in.
        request.state.portal_viewer = None


async def _look_up(request: Request) -> SignedIn | None:
    session_id = session_id_from(request)
    if not session_id:
        return None
    try:
        token = await session_token(request, session_id)
        me = await identity(request).me(token=token)
    except Problem as exc:
        if exc.status >= 500:
            raise
        return None
    except IdentityError as exc:
        if exc.status >= 500:
            raise ServiceUnavailable("identity") from exc
        return None
    return SignedIn(session_id=session_id, token=token, me=me)


async def start_session(request: Request, response: Response, portal: WebPortal, session_id: str) -> None:
    """The login is done: end the session this browser had, set the new one's cookie, rotate CSRF."""
    previous = session_id_from(request)
    if previous and previous != session_id:
        await end_session(request, previous)
    set_session_cookie(response, settings(request), session_id)
    portal.csrf.rotate(request, response)


async def stop_session(request: Request, response: Response, portal: WebPortal) -> None:
    """Log out: end the session at identity and in the gateway's cache, clear the cookie, rotate CSRF."""
    session_id = session_id_from(request)
    if session_id:
        await end_session(request, session_id)
    clear_session_cookie(response, settings(request))
    portal.csrf.rotate(request, response)
