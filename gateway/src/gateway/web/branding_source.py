"""Branding from identity (GET /internal/v1/identity/authorities/{slug}/branding and /logo), kept for a
short time (GATEWAY_BRANDING_CACHE_SECONDS, 60 s by default) so that a page costs no extra call: a
council's change shows on the pages within that time.

An unknown address is remembered too (a scan of random paths must not become a call to identity for
each). When identity cannot be reached, what was known is shown a while longer; with nothing known, the
page is a "temporarily unavailable" error.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.service_client import Fetched
from gateway.service_problems import ServiceError, ServiceUnavailable
from gateway.web.branding import Branding, branding_from_identity
from shared.logging import get_logger
from shared.problems import Problem

log = get_logger(__name__)
PREFIX = "/internal/v1/identity/authorities"
LOGO_TYPES = frozenset({"image/png", "image/jpeg"})  # what identity accepts, nothing else
RETRY_SECONDS = 5.0  # after a failed call, how long what was known is shown before asking again
Fetch = Callable[[str], Awaitable[Fetched]]


@dataclass
class _Entry:
    value: Any
    expires: float


class IdentityBrandingSource:
    """`fetch(path)` GETs an internal path of identity (with the gateway's secret)."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        ttl_seconds: float = 60.0,
        max_entries: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, slug: str) -> Branding | None:
        value: Branding | None = await self._cached(f"branding:{slug}", lambda: self._load_branding(slug))
        return value

    async def all(self) -> Sequence[Branding]:
        slugs: list[str] = await self._cached("authorities", self._load_slugs)
        found = await asyncio.gather(*(self.get(slug) for slug in slugs))
        return sorted((b for b in found if b is not None), key=lambda b: b.name)

    async def logo(self, slug: str) -> tuple[str, bytes] | None:
        value: tuple[str, bytes] | None = await self._cached(f"logo:{slug}", lambda: self._load_logo(slug))
        return value

    async def _cached(self, key: str, load: Callable[[], Awaitable[Any]]) -> Any:
        entry = self._entries.get(key)
        if entry is not None and entry.expires > self._clock():
            return entry.value
        # One call per key at a time: the others wait for its answer instead of asking again.
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires > self._clock():
                return entry.value
            try:
                value = await load()
            except Problem:
                if entry is None:
                    raise
                log.warning("branding_stale", key=key, retry_in=RETRY_SECONDS)
                self._remember(key, entry.value, RETRY_SECONDS)
                return entry.value
            self._remember(key, value, self._ttl)
            return value

    def _remember(self, key: str, value: Any, seconds: float) -> None:
        self._entries[key] = _Entry(value, self._clock() + seconds)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            old, _ = self._entries.popitem(last=False)
            self._locks.pop(old, None)

    async def _get(self, path: str) -> Fetched | None:
        """identity's answer; None for 404 (no such authority or logo), 503 Problem when unreachable."""
        try:
            response = await self._fetch(path)
        except ServiceError as exc:
            log.warning("branding_unreachable", path=path, status=exc.status)
            raise _unavailable() from exc
        if response.status_code in {404, 422}:  # 422: not even a well-formed address
            return None
        if response.status_code != 200:
            log.warning("branding_refused", path=path, status=response.status_code)
            raise _unavailable()
        return response

    async def _load_branding(self, slug: str) -> Branding | None:
        response = await self._get(f"{PREFIX}/{slug}/branding")
        if response is None:
            return None
        try:
            return branding_from_identity(response.json())
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("branding_unusable", slug=slug, error=str(exc))
            return None

    async def _load_slugs(self) -> list[str]:
        response = await self._get(PREFIX)
        return [str(a["slug"]) for a in response.json()] if response is not None else []

    async def _load_logo(self, slug: str) -> tuple[str, bytes] | None:
        response = await self._get(f"{PREFIX}/{slug}/logo")
        if response is None:
            return None
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        return (media_type, response.content) if media_type in LOGO_TYPES else None


def _unavailable() -> Problem:
    return ServiceUnavailable("identity")
