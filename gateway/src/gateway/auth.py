"""Turning a caller's credentials into the internal token forwarded to services.

Foundation stage: a bearer token is forwarded only if it is a valid internal token signed by identity
(verified here, and again by the service). Sessions, API keys and client credentials are resolved
into such tokens by identity (see the identity service).
"""

from __future__ import annotations

from fastapi import Request

from shared.auth import TokenVerifier, bearer_token


async def authenticate(request: Request) -> str | None:
    """The internal token to forward for this request, or None (the service will answer 401)."""
    verifier: TokenVerifier = request.app.state.token_verifier
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return None
    await verifier.verify(token)
    return token
