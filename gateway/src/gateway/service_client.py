"""One client per service, built from settings at start-up (gateway/main.py): the proxy's and the
gateway's own calls to that service go through it.

It holds the service's name and base URL, one pool of kept-alive connections (aiohttp: a tenth of
httpx's CPU per request, docs/benchmarks.md), the time-outs, and the service's gateway secret (sent only
to its internal API, /internal/v1/<service>/). Every call carries the request id, and the browser's
address as X-Forwarded-For when given. A service's problem comes back as `ServiceError`, which
`response()` relays to the caller; a service that cannot be reached is a 503 naming it
(gateway/service_problems.py).

It also reads the service's OpenAPI document (for the merged docs, and for the lanes the service
declares on its operations: gateway/lanes.py), refreshed in the background every few minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from gateway.lanes import Lane, LaneFull, LaneMap, LaneSize
from gateway.service_problems import ServiceError, lane_full, unavailable
from shared.http import current_request_id
from shared.logging import get_logger

log = get_logger(__name__)
DOCUMENT_MAX_AGE = 300.0  # seconds an OpenAPI document (and its lanes) is used before it is read again
DOCUMENT_RETRY = 5.0  # seconds between two tries while a service's document cannot be read
DOCUMENT_TIMEOUT = 10.0  # a service makes its document on the first request: seconds on a busy machine
KEEPALIVE_SECONDS = 4.0  # under uvicorn's 5 s, so the service never closes a connection being reused
CALL_TIMEOUT = 10.0
RELAYED_HEADERS = frozenset({"retry-after", "www-authenticate"})
NO_LANES = LaneMap()


@dataclass(frozen=True)
class Fetched:
    """A service's answer as it came (the names are httpx.Response's, for code written against it)."""

    status_code: int
    headers: dict[str, str]  # names in lower case
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


@dataclass(frozen=True)
class Timeouts:
    connect: float  # seconds to connect to the service
    read: float  # seconds the service may take to answer a proxied call (504 after)
    call: float = CALL_TIMEOUT  # the whole of one of the gateway's own calls


class ServiceClient:
    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        timeouts: Timeouts,
        secret: str | None = None,
        lanes: Mapping[str, LaneSize] | None = None,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts
        self.internal_prefix = f"/internal/v1/{name}/"
        self._secret = secret or None
        self._lanes = {lane: Lane(f"{name}.{lane}", size) for lane, size in (lanes or {}).items()}
        self._session: aiohttp.ClientSession | None = None
        self._document: dict[str, Any] | None = None
        self._lane_map: LaneMap | None = None
        self._read_at = self._tried_at = -DOCUMENT_MAX_AGE
        self._reading: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            timeout=aiohttp.ClientTimeout(
                total=None, connect=self.timeouts.connect, sock_read=self.timeouts.read
            ),
            auto_decompress=False,  # the proxy passes bodies on as they come, compressed or not
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept"),  # the caller's, or none
        )

    async def close(self) -> None:
        if self._reading is not None:
            self._reading.cancel()
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError(f"the {self.name} client is used before the gateway started")
        return self._session

    # --- the proxy ---------------------------------------------------------------------------------

    async def send(
        self,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]],
        body: bytes | AsyncIterator[bytes] | None,
    ) -> aiohttp.ClientResponse:
        """Send a proxied request (`target`: path and query exactly as the caller encoded them); the
        caller reads and releases the answer. aiohttp's errors are the caller's to map."""
        return await self.session.request(
            method,
            URL(self.base_url + target, encoded=True),
            headers=list(headers),
            data=body,
            allow_redirects=False,
        )

    @contextlib.asynccontextmanager
    async def lane_for(self, method: str, path: str, lane: str | None = None) -> AsyncIterator[None]:
        """A place in the lane of this call (`lane`, or the one the service declared for `method` and
        the decoded `path`), or nothing when it has none; `ServiceError` 503 when the lane stays full."""
        name = lane or (await self.lanes()).lane_of(method, path)
        chosen = self._lanes.get(name) if name else None
        if chosen is None:
            yield
            return
        try:
            async with chosen.place():
                yield
        except LaneFull as exc:
            raise lane_full(exc, self.name) from None

    # --- the gateway's own calls -------------------------------------------------------------------

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        token: str | None = None,
        address: str | None = None,
        lane: str | None = None,
    ) -> Any:
        """`method` `path` with a JSON body: the JSON answer ({} for none), or `ServiceError`."""
        headers = {"accept": "application/json"}
        if path.startswith(self.internal_prefix):
            if self._secret is None:
                log.warning("gateway_secret_missing", service=self.name, path=path)
                raise unavailable(self.name)
            headers["x-gateway-secret"] = self._secret
        if token:
            headers["authorization"] = f"Bearer {token}"
        if address:
            headers["x-forwarded-for"] = address
        if request_id := current_request_id():  # the service logs and answers with the gateway's id
            headers["x-request-id"] = request_id
        try:
            async with (
                self.lane_for(method, path, lane),
                self.session.request(
                    method,
                    self.base_url + path,
                    json=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=self.timeouts.call, connect=self.timeouts.connect),
                ) as response,
            ):
                status, raw = response.status, await response.read()
                kept = {k.lower(): v for k, v in response.headers.items() if k.lower() in RELAYED_HEADERS}
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("service_unreachable", service=self.name, path=path, error=type(exc).__name__)
            raise unavailable(self.name) from exc
        if status == 204 or not raw:
            data: Any = {}
        else:
            try:
                data = json.loads(raw)
            except ValueError:
                data = {"title": "Bad Gateway"}
        if status >= 400:
            raise ServiceError(status, data if isinstance(data, dict) else {}, kept, service=self.name)
        return data

    async def fetch(self, path: str) -> Fetched:
        """GET `path` as it is, whatever its status and type (a logo, a file): for the callers that read
        the answer themselves. `ServiceError` 503 only when the service cannot be reached."""
        headers = (
            {"x-gateway-secret": self._secret}
            if self._secret and path.startswith(self.internal_prefix)
            else {}
        )
        if request_id := current_request_id():
            headers["x-request-id"] = request_id
        try:
            async with self.session.get(
                self.base_url + path,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeouts.call, connect=self.timeouts.connect),
            ) as response:
                kept = {k.lower(): v for k, v in response.headers.items()}
                return Fetched(response.status, kept, await response.read())
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("service_unreachable", service=self.name, path=path, error=type(exc).__name__)
            raise unavailable(self.name) from exc

    async def alive(self) -> bool:
        """Whether the service answers its /healthz now (for operators and tests; not the gateway's
        readiness, which never depends on a service)."""
        try:
            async with self.session.get(
                self.base_url + "/healthz", timeout=aiohttp.ClientTimeout(total=1)
            ) as r:
                return r.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    # --- its OpenAPI document and the lanes it declares --------------------------------------------

    async def document(self) -> dict[str, Any] | None:
        """The service's OpenAPI document, read again when old; None when it cannot be read now. Asked
        for by a person (the docs), so it tries at once, unlike the proxy's wait between tries."""
        if time.monotonic() - self._read_at > DOCUMENT_MAX_AGE:
            await self._read(again=True)
        return self._document

    async def lanes(self) -> LaneMap:
        """The lanes the service declared. The first time, the call waits for the document (one read
        for all callers, tried at most every few seconds while the service is down); afterwards it is
        read again in the background when old, and the map in hand is used meanwhile."""
        if self._lane_map is None:
            await self._read()
        elif time.monotonic() - self._read_at > DOCUMENT_MAX_AGE:
            self.read_soon()
        return self._lane_map or NO_LANES

    def read_soon(self, *, again: bool = False) -> asyncio.Task[None] | None:
        """Start reading the document unless a read is under way or (unless `again`) one failed just now
        (at start-up, and when it is old); the read in progress, if any."""
        if self._reading is None or self._reading.done():
            if not again and time.monotonic() - self._tried_at < DOCUMENT_RETRY:
                return None
            self._tried_at = time.monotonic()
            self._reading = asyncio.create_task(self._fetch_document())
        return self._reading

    async def _read(self, *, again: bool = False) -> None:
        reading = self.read_soon(again=again)
        if reading is not None:
            await asyncio.shield(reading)

    async def _fetch_document(self) -> None:
        try:
            async with self.session.get(
                self.base_url + "/openapi.json", timeout=aiohttp.ClientTimeout(total=DOCUMENT_TIMEOUT)
            ) as response:
                response.raise_for_status()
                document = json.loads(await response.read())
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("openapi_read_failed", service=self.name, error=repr(exc))
            return
        self._document = document
        self._lane_map = LaneMap.from_openapi(document)
        self._read_at = time.monotonic()
