"""How a service declares that some of its operations must reach it only a few at a time.

An operation marked `openapi_extra=lane(HASHING)` (it hashes or verifies a password: tens of ms of CPU)
carries `x-portal-lane: hashing` in the service's OpenAPI document. The gateway reads the documents it
already serves merged at /api/openapi.json and sends the calls of each lane through a queue of a few at a
time (gateway/lanes.py), so a burst of logins cannot take every connection a cheap call needs. The mark
lives beside the route it describes: a new route that hashes is marked where it is written, not in a
list kept by hand at the gateway.
"""

from __future__ import annotations

from typing import Any

EXTENSION = "x-portal-lane"
HASHING = "hashing"


def lane(name: str) -> dict[str, Any]:
    """The `openapi_extra` of a route whose calls go through the gateway's lane `name`."""
    return {EXTENSION: name}
