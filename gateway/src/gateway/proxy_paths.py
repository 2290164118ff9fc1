"""The path the proxy sends upstream, and the traversals it refuses.

A proxied path must stay under /api/v1/<service>/ or /council/v1/<service>/ at the service. A dot
segment (`.`, `..`) or an encoded slash or backslash could take it elsewhere (`/metrics`, `/internal/...`)
once a server or library decodes or normalises it, so any segment that is one, however many times
it is percent-encoded, is refused (400); so is a control character, which no resource name holds.
What passes is sent upstream byte for byte as the client encoded it, and checked again to start with
the service's prefix.
https://owasp.org/www-community/attacks/Path_Traversal
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from fastapi import Request

from shared.problems import Problem

_DECODINGS = 4  # %25252e... deeper than this is refused rather than decoded further
# A path of these characters only has nothing to decode and no dot, backslash or control character:
# it needs no segment-by-segment check (most API calls; the check costs per character).
_PLAIN = re.compile(r"[A-Za-z0-9/_\-~:@!$&'()*+,;=]*")


def upstream_path(request: Request, *, root: str, service: str) -> str:
    """The raw path to send to the service, or Problem 400 when it could leave `/<root>/<service>/`."""
    raw_bytes: bytes = request.scope.get("raw_path") or request.url.path.encode()
    raw = raw_bytes.decode("latin-1")
    if _PLAIN.fullmatch(raw) is None:
        for segment in raw.split("/"):
            _check(segment)
    prefix = f"/{root}/{service}/"
    if not raw.startswith(prefix):  # e.g. the service name itself percent-encoded
        raise _refused()
    return raw


def _check(segment: str) -> None:
    for _ in range(_DECODINGS):
        if segment in {".", ".."} or "\\" in segment or "/" in segment:
            raise _refused()
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in segment):
            raise Problem(400, "Bad Request", detail="the path may not contain a control character")
        decoded = unquote(segment)
        if decoded == segment:
            return
        segment = decoded
    raise _refused()


def _refused() -> Problem:
    return Problem(
        400,
        "Bad Request",
        detail="the path may not contain '.' or '..' segments or encoded slashes or backslashes,"
        " however they are encoded",
    )
