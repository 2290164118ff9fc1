"""Lanes: the calls of a kind a service declared expensive, a few in flight at once (shared/lanes.py).

A call that hashes a password costs identity tens of ms of CPU. Through a lane a burst of logins waits
here, holding no upstream connection, instead of taking every connection of the pool while identity
works through its hashing queue: a cheap call (a page, a token exchange) always finds a connection and
an answer in milliseconds (docs/benchmarks.md). A call that waits longer than its bound for a place is
answered 503 with Retry-After rather than queued without end.

Which calls: the operations marked `x-portal-lane` in the service's OpenAPI document (`LaneMap`), and
the gateway's own calls to a service's internal API that say so where they are made (identity_client).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from shared.lanes import EXTENSION
from shared.logging import get_logger

log = get_logger(__name__)
BUSY = "urn:provider-portal:problem:hashing-lane-full"
BUSY_DETAIL = "Too many people are logging in just now: try again shortly."
_PARAMETER = re.compile(r"\{[^/{}]+\}")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class LaneFull(Exception):
    """A call waited its whole bound for a place in its lane: the caller should come back shortly."""

    def __init__(self, waited: float) -> None:
        super().__init__(BUSY_DETAIL)
        self.retry_after = max(1, round(waited / 2))


@dataclass(frozen=True)
class LaneSize:
    places: int  # calls in flight at once
    wait_seconds: float  # how long a call may wait for a place


class Lane:
    def __init__(self, name: str, size: LaneSize) -> None:
        self.name = name
        self.size = size
        self._places = asyncio.Semaphore(size.places)

    @contextlib.asynccontextmanager
    async def place(self) -> AsyncIterator[None]:
        """A place in the lane for the length of a call, or `LaneFull` once the wait is over."""
        try:
            await asyncio.wait_for(self._places.acquire(), timeout=self.size.wait_seconds)
        except TimeoutError:
            log.warning("lane_full", lane=self.name, waited=self.size.wait_seconds)
            raise LaneFull(self.size.wait_seconds) from None
        try:
            yield
        finally:
            self._places.release()


class LaneMap:
    """(method, path) -> the lane a service declared for the operation, from its OpenAPI document."""

    def __init__(self, routes: Mapping[str, list[tuple[re.Pattern[str], str]]] | None = None) -> None:
        self._routes = dict(routes or {})

    @classmethod
    def from_openapi(cls, document: Mapping[str, Any]) -> LaneMap:
        routes: dict[str, list[tuple[re.Pattern[str], str]]] = {}
        for template, item in (document.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            for method in _METHODS:
                operation = item.get(method)
                name = operation.get(EXTENSION) if isinstance(operation, dict) else None
                if isinstance(name, str) and name:
                    routes.setdefault(method.upper(), []).append((_pattern(template), name))
        return cls(routes)

    def lane_of(self, method: str, path: str) -> str | None:
        """The lane of a call to `path` (decoded), or None: most calls, every GET so far, have none."""
        for pattern, name in self._routes.get(method, ()):
            if pattern.fullmatch(path):
                return name
        return None

    def __bool__(self) -> bool:
        return bool(self._routes)


def _pattern(template: str) -> re.Pattern[str]:
    """An OpenAPI path template as a pattern: each `{parameter}` one segment, the rest as written."""
    parts = _PARAMETER.split(template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))
