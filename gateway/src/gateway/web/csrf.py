"""CSRF protection of every form: a synchronizer token bound to the browser's pre-session cookie, plus
a check that the request comes from this site (Fetch Metadata, else Origin).

The gateway keeps no server-side state for anonymous visitors, so the token is not stored: it is an
HMAC, under a server secret, of a random value kept in an HttpOnly cookie. A token only fits the cookie
it was made for, so a form posted with a token taken from another session is refused, and an attacker
who cannot read the victim's cookie cannot make one. The log-in pages rotate the cookie at login and at
logout (`rotate`), so a token from before login never fits the logged-in session.
https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from fastapi import Request, Response

from gateway.cross_site import SAFE_METHODS, cross_site_reason
from gateway.web.page_problem import PageProblem
from shared.logging import get_logger

log = get_logger(__name__)
COOKIE = "portal_csrf"
FIELD = "csrf_token"
_BINDING = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 random bytes, base64url without padding
_NEW_BINDING = "csrf_new_binding"


class CsrfRefused(PageProblem):
    def __init__(self) -> None:
        super().__init__(
            403,
            "Your form could not be sent",
            detail="This can happen when a page is left open for a long time or was opened in another "
            "browser window. Go back, reload the page and try again.",
        )


class CsrfProtection:
    def __init__(self, *, secret: bytes, secure_cookie: bool) -> None:
        self._secret = secret
        self._secure_cookie = secure_cookie

    def token(self, request: Request) -> str:
        """The token to put in this request's forms (made from its binding cookie, or a new one)."""
        return self._sign(self._binding(request))

    def remember_binding(self, request: Request, response: Response) -> None:
        """Set the binding cookie when the page just rendered created it."""
        new = getattr(request.state, _NEW_BINDING, None)
        if new is not None:
            self._set_cookie(request, response, new)

    def rotate(self, request: Request, response: Response) -> None:
        """A fresh binding (at login and logout): every token issued before stops working."""
        binding = _new_binding()
        setattr(request.state, _NEW_BINDING, binding)
        self._set_cookie(request, response, binding)

    async def verify(self, request: Request) -> None:
        """Refuse (403) an unsafe request not sent from this site or without its cookie's token."""
        if request.method in SAFE_METHODS:
            return
        reason = cross_site_reason(request)
        if reason is None:
            binding = request.cookies.get(COOKIE, "")
            form = await request.form()
            sent = form.get(FIELD)
            if not _BINDING.match(binding):
                reason = "no binding cookie"
            elif not isinstance(sent, str) or not sent:
                reason = "no token"
            elif not hmac.compare_digest(sent.encode(), self._sign(binding).encode()):
                reason = "token does not fit the cookie"
        if reason is not None:
            log.warning("csrf_refused", path=request.url.path, reason=reason)
            raise CsrfRefused()

    def _binding(self, request: Request) -> str:
        new = getattr(request.state, _NEW_BINDING, None)
        if new is not None:
            return str(new)
        existing = request.cookies.get(COOKIE, "")
        if _BINDING.match(existing):
            return existing
        binding = _new_binding()
        setattr(request.state, _NEW_BINDING, binding)
        return binding

    def _sign(self, binding: str) -> str:
        digest = hmac.new(self._secret, b"csrf:" + binding.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def _set_cookie(self, request: Request, response: Response, binding: str) -> None:
        response.set_cookie(
            COOKIE,
            binding,
            httponly=True,
            samesite="lax",
            secure=self._secure_cookie or request.url.scheme == "https",
            path="/",
        )


def _new_binding() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
