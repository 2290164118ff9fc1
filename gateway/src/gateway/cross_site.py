"""Is this request from another site? The one check of the pages (gateway.web.csrf, with their form
token), the JSON login journey and the proxies (for writes carrying the session cookie).
https://web.dev/articles/fetch-metadata and
https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

from fastapi import Request

from shared.logging import get_logger
from shared.problems import Problem

log = get_logger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cross_site_reason(request: Request) -> str | None:
    """Why this request is not from this site, or None: the one check of the pages, the JSON login
    journey and the proxies. Fetch Metadata (every current browser sends it) and the Origin header
    (older ones) must both agree when present; neither (a non-browser client) leaves the form token, or
    the lack of a cookie, to decide. Own origin: GATEWAY_PUBLIC_URL, else the request's address."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in {"same-origin", "none"}:
        return f"sec-fetch-site {site}"
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        return f"origin {origin}"
    return None


def _own_origin(request: Request) -> str:
    public_url = request.app.state.gateway_settings.public_url
    if public_url is not None:
        default_port = {"https": 443, "http": 80}.get(public_url.scheme)
        port = "" if public_url.port in {None, default_port} else f":{public_url.port}"
        return f"{public_url.scheme}://{public_url.host}{port}"
    return str(request.base_url).rstrip("/")


async def refuse_cross_site(request: Request) -> None:
    """For JSON endpoints that a browser session calls (no form token to check): refuse cross-site
    requests. The session cookie is SameSite=Lax already; this is the second line."""
    reason = cross_site_reason(request)
    if reason is not None:
        log.warning("cross_site_refused", path=request.url.path, reason=reason)
        raise Problem(403, "Forbidden", detail="cross-site requests are refused")
