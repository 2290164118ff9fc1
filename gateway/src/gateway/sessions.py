"""The browser's session cookie, and the short cache of tokens exchanged for sessions and API keys.

Revocation: a token is reused for at most `token_cache_seconds` (10 s by default) and never past its
own expiry, and logging out through this gateway evicts the session's entry at once, so the old
cookie is refused by the very next request. A revocation made elsewhere (a lock, a password change,
another gateway replica) takes effect within the cache time; set it to 0 to exchange on every request.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from typing import Generic, TypeVar

from fastapi import Request, Response

from gateway.config import Settings

COOKIE = "portal_session"
SECURE_COOKIE = "__Host-portal_session"  # the prefix makes browsers insist on Secure, Path=/, no Domain
EXPIRY_MARGIN = 5.0  # seconds: a cached token or answer is dropped this long before its token expires
V = TypeVar("V")


def cookie_name(settings: Settings) -> str:
    return SECURE_COOKIE if settings.cookie_secure else COOKIE


def session_id_from(request: Request) -> str | None:
    """The session id the browser sent, if any. With Secure cookies only the __Host- one counts: a
    plain-named cookie can be planted by a sibling subdomain or over http (cookie tossing)."""
    settings: Settings = request.app.state.gateway_settings
    value = request.cookies.get(cookie_name(settings))
    return value or None


def set_session_cookie(response: Response, settings: Settings, session_id: str) -> None:
    """HttpOnly, SameSite=Lax (sent on top-level navigation, not on cross-site posts), Secure unless
    plain http locally; a browser-session cookie: identity enforces idle and absolute timeouts."""
    response.set_cookie(
        cookie_name(settings),
        session_id,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        cookie_name(settings), path="/", secure=settings.cookie_secure, httponly=True, samesite="lax"
    )


def cache_key(kind: str, credential: str) -> str:
    """Keys are digests: the cache never holds a session id or an API key."""
    return kind + ":" + hashlib.sha256(credential.encode()).hexdigest()


class ExpiringCache(Generic[V]):
    """An LRU of values by key, each until its own expiry and for at most `ttl_seconds` (None: no cap)."""

    def __init__(self, *, ttl_seconds: float | None, max_entries: int) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[V, float]] = OrderedDict()

    def get(self, key: str) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, expires = entry
        if time.monotonic() >= expires:
            self._entries.pop(key, None)
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: str, value: V, expires_in: float) -> None:
        """Keep `value` for `expires_in` seconds less a margin (never hand out what is about to expire),
        and never longer than the cache's own time."""
        ttl = expires_in - EXPIRY_MARGIN if self.ttl is None else min(self.ttl, expires_in - EXPIRY_MARGIN)
        if ttl <= 0:
            return
        self._entries[key] = (value, time.monotonic() + ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def pop(self, key: str) -> V | None:
        entry = self._entries.pop(key, None)
        return None if entry is None else entry[0]

    def evict(self, key: str) -> None:
        self._entries.pop(key, None)


class TokenCache(ExpiringCache[str]):
    """Internal tokens by credential digest (`cache_key`), each for at most the cache's time."""

    def __init__(self, *, ttl_seconds: float, max_entries: int) -> None:
        super().__init__(ttl_seconds=ttl_seconds, max_entries=max_entries)
