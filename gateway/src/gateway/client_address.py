"""The client's address, worked out in one place for the whole gateway (identity's rate limits and
its audit log both get it from here, as X-Forwarded-For).

The socket's peer is the client unless the peer is a configured trusted proxy (GATEWAY_TRUSTED_PROXIES,
empty by default). Then X-Forwarded-For is read from the right: each trusted hop is skipped, and the
first untrusted hop is the client. Hops to its left were written by the client and may be forged.
The server must not rewrite the peer itself (the gateway runs uvicorn with proxy_headers off).
https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/X-Forwarded-For#selecting_an_ip_address
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_STATE = "client_address"


def client_address(request: Request) -> str | None:
    """The client's address for this request (computed once, then kept on the request)."""
    if _STATE not in request.scope.get("state", {}):
        trusted: Sequence[Network] = request.app.state.gateway_settings.trusted_proxies
        peer = request.client.host if request.client else None
        # With no trusted proxy (the default) the peer is the client: nothing to parse.
        forwarded = request.headers.getlist("x-forwarded-for") if trusted else []
        setattr(request.state, _STATE, resolve(peer, forwarded, trusted) if trusted else peer)
    value: str | None = getattr(request.state, _STATE)
    return value


def resolve(peer: str | None, forwarded: Sequence[str], trusted: Sequence[Network]) -> str | None:
    """The rightmost address, peer first, that is not a trusted proxy. A hop that is not an IP address
    ends the walk at the last trusted one: a trusted proxy never writes one, so the client did."""
    if peer is None or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for header in forwarded for hop in header.split(",")]
    address = peer
    for hop in reversed(hops):
        if _ip(hop) is None:
            break
        address = hop
        if not _is_trusted(hop, trusted):
            break
    return address


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in trusted)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
