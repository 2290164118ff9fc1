"""identity's calls: the gateway's own calls to identity (the login journey, sessions, API keys, the
caller's account, the organisation pages' reads and requests), each a thin function of the identity
`ServiceClient` (gateway/service_client.py), which carries the secret, the request id, the address and
the problems. A new call to identity (e.g. the authority's branding) goes here.

Calls to identity's internal API that hash a password say so (`lane=HASHING`): they are not in its
OpenAPI document; those of its public API are marked there (shared/lanes.py) and found by the client.

`/me` is kept for the life of the token it was asked with (`MeCache`): a page asks for it on every
request, and the token changes whenever the gateway exchanges the session again (gateway/sessions.py),
so a change of role, organisation or name shows within that time; logging out or switching
organisation drops it at once (gateway/auth.forget_session).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

import jwt

from gateway.lanes import BUSY
from gateway.service_client import ServiceClient
from gateway.service_problems import ServiceError
from gateway.sessions import ExpiringCache
from shared.lanes import HASHING

__all__ = ["BUSY", "IdentityClient", "IdentityError", "MeCache"]

# identity's problems are the client's problems; the name stays for the pages that catch them.
IdentityError = ServiceError
INTERNAL = "/internal/v1/identity"
PROVIDER = "/api/v1/identity"
ME = PROVIDER + "/me"


class MeCache:
    """identity's answer to GET /me by the token it was asked with, until that token expires. Keyed by
    a digest of the token: each session's token is its own, so one person's answer never serves
    another's request."""

    def __init__(self, *, max_entries: int) -> None:
        self._entries: ExpiringCache[dict[str, Any]] = ExpiringCache(
            ttl_seconds=None, max_entries=max_entries
        )

    @staticmethod
    def key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, token: str) -> dict[str, Any] | None:
        return self._entries.get(self.key(token))

    def put(self, token: str, me: dict[str, Any]) -> None:
        try:  # the token came from identity; its own expiry bounds the entry (it is verified upstream)
            expires = float(jwt.decode(token, options={"verify_signature": False})["exp"])
        except (jwt.PyJWTError, KeyError, TypeError, ValueError):
            return
        self._entries.put(self.key(token), me, expires - time.time())

    def forget(self, token: str) -> None:
        self._entries.evict(self.key(token))


class IdentityClient:
    def __init__(self, service: ServiceClient, *, me_cache: MeCache) -> None:
        self.service = service
        self.me_cache = me_cache

    async def _internal(
        self, path: str, body: dict[str, Any], *, address: str | None, lane: str | None = None
    ) -> dict[str, Any]:
        answer: dict[str, Any] = await self.service.call(
            "POST", INTERNAL + path, body=body, address=address, lane=lane
        )
        return answer

    async def authorities(self) -> list[dict[str, Any]]:
        """Every authority's slug, name, colours, support contact and password rules."""
        answer: list[dict[str, Any]] = await self.service.call("GET", INTERNAL + "/authorities")
        return answer

    # The login journey (docs/identity-api.md).
    async def start_login(
        self, *, authority: str, email: str, password: str, address: str | None
    ) -> dict[str, Any]:
        body = {"authority": authority, "email": email, "password": password}
        return await self._internal("/login", body, address=address, lane=HASHING)

    async def journey_state(self, *, journey_id: str, address: str | None) -> dict[str, Any]:
        return await self._internal("/login/state", {"journey_id": journey_id}, address=address)

    async def change_password(
        self, *, journey_id: str, new_password: str, confirm_password: str, address: str | None
    ) -> dict[str, Any]:
        body = {"journey_id": journey_id, "new_password": new_password, "confirm_password": confirm_password}
        return await self._internal("/login/password", body, address=address, lane=HASHING)

    async def set_security_code(
        self, *, journey_id: str, new_code: str, confirm_code: str, address: str | None
    ) -> dict[str, Any]:
        body = {"journey_id": journey_id, "new_code": new_code, "confirm_code": confirm_code}
        return await self._internal("/login/security-code", body, address=address)

    async def answer_challenge(
        self, *, journey_id: str, digits: list[str], address: str | None
    ) -> dict[str, Any]:
        return await self._internal(
            "/login/challenge", {"journey_id": journey_id, "digits": digits}, address=address
        )

    async def request_password_reset(self, *, form: dict[str, str], address: str | None) -> dict[str, Any]:
        return await self._internal("/password-reset-requests", form, address=address)

    # Sessions and API keys.
    async def session_token(self, *, session_id: str) -> dict[str, Any]:
        return await self._internal("/sessions/token", {"session_id": session_id}, address=None)

    async def logout(self, *, session_id: str, address: str | None) -> None:
        await self._internal("/sessions/logout", {"session_id": session_id}, address=address)

    async def switch_organisation(
        self, *, session_id: str, organisation_id: uuid.UUID, address: str | None
    ) -> dict[str, Any]:
        body = {"session_id": session_id, "organisation_id": str(organisation_id)}
        return await self._internal("/sessions/organisation", body, address=address)

    async def api_key_token(self, *, api_key: str) -> dict[str, Any]:
        return await self._internal("/api-keys/token", {"api_key": api_key}, address=None)

    # The caller's own account (the provider API, with the session's token): docs/identity-api.md section 3.
    async def me(self, *, token: str) -> dict[str, Any]:
        """Who the token's session is (kept for the token's life: see the module's note)."""
        cached = self.me_cache.get(token)
        if cached is not None:
            return cached
        me: dict[str, Any] = await self.service.call("GET", ME, token=token)
        self.me_cache.put(token, me)
        return me

    async def change_my_password(self, *, token: str, form: dict[str, str], address: str | None) -> None:
        await self.service.call("POST", ME + "/password", body=form, token=token, address=address)

    async def change_my_security_code(self, *, token: str, form: dict[str, str], address: str | None) -> None:
        await self.service.call("POST", ME + "/security-code", body=form, token=token, address=address)

    # The organisation's details and contacts (the provider API, with the session's token): section 4.
    async def provider_get(self, path: str, *, token: str) -> Any:
        """GET /api/v1/identity/<path> as the logged-in person (a list or an object)."""
        return await self.service.call("GET", f"{PROVIDER}/{path}", token=token)

    async def provider_post(
        self, path: str, body: dict[str, Any], *, token: str, address: str | None
    ) -> dict[str, Any]:
        answer: dict[str, Any] = await self.service.call(
            "POST", f"{PROVIDER}/{path}", body=body, token=token, address=address
        )
        return answer
