"""Turning a caller's credentials into the internal token forwarded to services.

- an organisation API key (header X-API-Key): exchanged with identity for a token of the key's role
  and scope;
- a bearer token: must be an internal token signed by identity (what council systems get from the
  client-credentials endpoint); verified here (once for its life: its signature and claims cannot
  change, shared.auth), and again by the service;
- the browser's session cookie: exchanged with identity for a short-lived token; an unsafe method
  with it is refused when the browser says it comes from another site (gateway.cross_site).
Exchanged tokens are cached briefly per credential (see gateway.sessions for revocation).
"""

from __future__ import annotations

import contextlib

from fastapi import Request

from gateway.client_address import client_address
from gateway.cross_site import SAFE_METHODS, refuse_cross_site
from gateway.identity_client import IdentityClient, IdentityError
from gateway.service_problems import ServiceUnavailable
from gateway.sessions import TokenCache, cache_key, session_id_from
from shared.auth import TokenVerifier, bearer_token
from shared.problems import Problem

API_KEY_HEADER = "x-api-key"


async def authenticate(request: Request) -> str | None:
    """The internal token to forward for this request, or None (the service will answer 401)."""
    api_key = request.headers.get(API_KEY_HEADER)
    if api_key:
        return await _exchange(request, "key", api_key)
    token = bearer_token(request.headers.get("authorization"))
    if token is not None:
        verifier: TokenVerifier = request.app.state.token_verifier
        await verifier.verify(token)  # once per token for its life (shared.auth)
        return token
    session_id = session_id_from(request)
    if session_id:
        if request.method not in SAFE_METHODS:  # a browser's write: SameSite=Lax is not the only line
            await refuse_cross_site(request)
        return await _exchange(request, "session", session_id)
    return None


async def _exchange(request: Request, kind: str, credential: str) -> str:
    cache: TokenCache = request.app.state.token_cache
    key = cache_key(kind, credential)
    token = cache.get(key)
    if token is not None:
        return token
    identity: IdentityClient = request.app.state.identity
    try:
        issued = await (
            identity.session_token(session_id=credential)
            if kind == "session"
            else identity.api_key_token(api_key=credential)
        )
    except IdentityError as exc:
        if exc.status >= 500:
            raise ServiceUnavailable("identity") from exc  # the credential cannot be checked just now
        if exc.status not in {401, 403}:  # a malformed cookie or key is simply not a credential
            raise Problem(
                401,
                "Unauthorized",
                detail="the session or API key is not valid",
                headers={"WWW-Authenticate": "Bearer"},
            ) from exc
        raise Problem(
            exc.status,
            str(exc.body.get("title", "Unauthorized")),
            type_=exc.type,
            detail=str(exc.body.get("detail", "")) or None,
            headers={"WWW-Authenticate": "Bearer"} if exc.status == 401 else None,
        ) from exc
    cache.put(key, issued["token"], float(issued["expires_in"]))
    return str(issued["token"])


def forget_session(request: Request, session_id: str) -> None:
    """Drop the cached token of a session that has just ended or changed organisation, and the /me
    identity gave for it."""
    cache: TokenCache = request.app.state.token_cache
    token = cache.pop(cache_key("session", session_id))
    if token is not None:
        identity: IdentityClient = request.app.state.identity
        identity.me_cache.forget(token)


async def session_token(request: Request, session_id: str) -> str:
    """The internal token of a browser session (cached like any other); raises Problem when it ended."""
    return await _exchange(request, "session", session_id)


async def end_session(request: Request, session_id: str) -> None:
    """End a session at identity and in this gateway's cache, at once. If identity cannot be reached the
    session times out there; the caller clears the cookie anyway."""
    forget_session(request, session_id)
    identity: IdentityClient = request.app.state.identity
    with contextlib.suppress(IdentityError):
        await identity.logout(session_id=session_id, address=client_address(request))
