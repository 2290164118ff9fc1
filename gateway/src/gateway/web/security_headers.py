"""Security headers on every response the gateway sends (pages, assets, API answers, errors).

The CSP allows scripts, styles, images and fonts from this origin only: no inline script or style
(authority colours come from a stylesheet), no framing, no plugins, forms posted to this site only.
HSTS is sent when the configured public URL (GATEWAY_PUBLIC_URL) is https: TLS usually ends at a load
balancer, so the request's own scheme says nothing, and a header claiming https could be forged.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)
HSTS = "max-age=63072000; includeSubDomains"


def security_headers(*, https: bool) -> dict[str, str]:
    headers = {
        "content-security-policy": CONTENT_SECURITY_POLICY,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",  # browsers older than frame-ancestors
        "referrer-policy": "same-origin",
        "permissions-policy": PERMISSIONS_POLICY,
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
    }
    if https:
        headers["strict-transport-security"] = HSTS
    return headers


class SecurityHeadersMiddleware:
    """Adds the headers a response does not set itself. Pages also get `Cache-Control: no-store` unless
    they say otherwise: a portal page can show personal data, and must not come back from a shared
    cache or from the browser's cache after logging out."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.wanted = security_headers(https=https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self.wanted

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {key.decode("latin-1").lower() for key, _ in headers}
                for name, value in wanted.items():
                    if name not in present:
                        headers.append((name.encode(), value.encode()))
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html") and "cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
