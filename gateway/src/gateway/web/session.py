"""Who is logged in, for the pages: the session cookie, exchanged for the internal token (cached like
any API call's), and identity's who-am-I (GET /api/v1/identity/me, docs/identity-api.md section 3).
Also starting and ending a browser's session from a page (the cookie, and a fresh CSRF binding)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response

from gateway.auth import end_session, session_token
from gateway.client_address import client_address
from gateway.config import Settings
from gateway.identity_client import IdentityClient, IdentityError
from gateway.service_problems import ServiceUnavailable
from gateway.sessions import clear_session_cookie, session_id_from, set_session_cookie
from gateway.web.home import Viewer
from gateway.web.rendering import WebPortal
from shared.auth import Role
from shared.problems import Problem


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
        )

    @property
    def organisations(self) -> list[dict[str, Any]]:
        return list(self.me.get("organisations") or [])

    @property
    def organisation_id(self) -> str | None:
        organisation = self.me.get("organisation") or {}
        return str(organisation["organisation_id"]) if organisation.get("organisation_id") else None


async def signed_in(request: Request) -> SignedIn | None:
    """The logged-in person, or None (no cookie, or the session ended, timed out or was refused)."""
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
