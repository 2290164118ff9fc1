"""Verification of the internal token that the gateway forwards to every service.

Identity signs short-lived EdDSA (Ed25519) JWTs; services verify them with identity's public keys (a JWKS
fetched and cached, or given statically). Every route that serves data depends on `Principal`, and
every query filters by it: the gateway is not the only line of defence.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt import PyJWK, PyJWKSet

from shared.logging import get_logger
from shared.problems import Problem

log = get_logger(__name__)
ALGORITHMS = ["EdDSA"]
JWKS_REFRESH_SECONDS = 300.0
JWKS_MIN_REFETCH_SECONDS = 5.0
VERIFIED_TOKENS = 10_000  # verified tokens remembered (most recently used first)


class Role(StrEnum):
    full = "full"
    finance = "finance"
    care = "care"
    admin = "admin"
    main = "main"
    council = "council"  # council staff and council machine clients


class ScopeType(StrEnum):
    authority = "authority"  # council users: the whole authority
    organisation = "organisation"
    contract = "contract"
    service = "service"


class PrincipalKind(StrEnum):
    user = "user"
    api_key = "api_key"
    council_client = "council_client"


@dataclass(frozen=True)
class Principal:
    """Who is calling, for which authority and organisation, with which role and scope."""

    subject: str
    kind: PrincipalKind
    authority_id: uuid.UUID
    organisation_id: uuid.UUID | None
    role: Role
    can_edit: bool
    scope_type: ScopeType
    scope_id: uuid.UUID | None
    token_id: str = ""
    # For a service scope: the contract the service belongs to (contract-level rows it may see).
    scope_contract_id: uuid.UUID | None = None
    # Council operators may run the backbone's operations (dead letters) on every service.
    operator: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_council(self) -> bool:
        return self.role is Role.council

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        org = claims.get("org")
        scope_id = claims.get("scope_id")
        scope_contract = claims.get("scope_contract")
        return cls(
            subject=str(claims["sub"]),
            kind=PrincipalKind(claims.get("kind", "user")),
            authority_id=uuid.UUID(claims["authority"]),
            organisation_id=uuid.UUID(org) if org else None,
            role=Role(claims["role"]),
            can_edit=bool(claims.get("edit", False)),
            scope_type=ScopeType(claims["scope"]),
            scope_id=uuid.UUID(scope_id) if scope_id else None,
            token_id=str(claims.get("jti", "")),
            scope_contract_id=uuid.UUID(scope_contract) if scope_contract else None,
            operator=claims.get("operator") is True,
            extra={k: v for k, v in claims.items() if k in {"sid", "name"}},
        )

    def to_claims(self) -> dict[str, Any]:
        return {
            "sub": self.subject,
            "kind": self.kind.value,
            "authority": str(self.authority_id),
            "org": str(self.organisation_id) if self.organisation_id else None,
            "role": self.role.value,
            "edit": self.can_edit,
            "scope": self.scope_type.value,
            "scope_id": str(self.scope_id) if self.scope_id else None,
            **({"scope_contract": str(self.scope_contract_id)} if self.scope_contract_id else {}),
            **({"operator": True} if self.operator else {}),
            **self.extra,
        }


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_json: str | None = None,
        jwks_url: str | None = None,
    ) -> None:
        if not jwks_json and not jwks_url:
            raise ValueError("token verification needs token_jwks_url or token_jwks_json")
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self._keys: dict[str, PyJWK] = _parse_jwks(jwks_json) if jwks_json else {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self._verified: OrderedDict[bytes, tuple[Principal, float]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        """The token's principal, or 401 problem. A token verified once is remembered until it expires:
        the same bytes carry the same signed claims, and the gateway sends the same token for a session
        for seconds at a time (machine clients for minutes), so the signature check and the claims'
        parsing, most of a small request's cost, are done once per token. A token signed by a key
        later withdrawn stays accepted until it expires (2 minutes for a person's, 5 for a machine's)."""
        key = hashlib.sha256(token.encode()).digest()
        known = self._verified.get(key)
        if known is not None and time.time() < known[1]:
            self._verified.move_to_end(key)
            return known[0]
        principal, expires = await self._verify(token)
        self._verified[key] = (principal, expires)
        while len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _unauthorized("the token is malformed") from exc
        kid = header.get("kid")
        if header.get("alg") not in ALGORITHMS or not isinstance(kid, str):
            raise _unauthorized("the token is not signed with an accepted algorithm")
        key = await self._key(kid)
        if key is None:
            raise _unauthorized("the token is signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=5,
            )
            return Principal.from_claims(claims), float(claims["exp"])
        except jwt.ExpiredSignatureError as exc:
            raise _unauthorized("the token has expired") from exc
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise _unauthorized("the token is not valid") from exc

    async def _key(self, kid: str) -> PyJWK | None:
        stale = time.monotonic() - self._fetched_at > JWKS_REFRESH_SECONDS
        if self.jwks_url and (kid not in self._keys or stale):
            async with self._lock:
                if time.monotonic() - self._fetched_at > JWKS_MIN_REFETCH_SECONDS:
                    await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        assert self.jwks_url
        try:
            async with httpx.AsyncClient(timeout=3.0) as client:
                resp = await client.get(self.jwks_url)
                resp.raise_for_status()
            self._keys = _parse_jwks(resp.text)
        except Exception as exc:  # keep the keys we have; the next request tries again
            log.warning("jwks_fetch_failed", error=repr(exc))
        finally:
            self._fetched_at = time.monotonic()


def _parse_jwks(text: str) -> dict[str, PyJWK]:
    keyset = PyJWKSet.from_json(text) if text.strip().startswith("{") else PyJWKSet(json.loads(text))
    return {k.key_id: k for k in keyset.keys if k.key_id}


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail=detail, headers={"WWW-Authenticate": "Bearer"})


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 key identity signs tokens with; its public half is published as a JWK."""

    kid: str
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls.from_private_key(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: str) -> SigningKey:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key must be an Ed25519 private key in PEM")
        return cls.from_private_key(key)

    @classmethod
    def from_private_key(cls, key: Ed25519PrivateKey) -> SigningKey:
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        # RFC 7638 thumbprint of the OKP key: the kid changes whenever the key does.
        canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}, separators=(",", ":"))
        return cls(kid=_b64(hashlib.sha256(canonical.encode()).digest())[:22], private_key=key)

    def private_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    def public_jwk(self) -> dict[str, str]:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    def sign(self, principal: Principal, *, issuer: str, audience: str, ttl_seconds: int) -> str:
        now = int(time.time())
        claims = {
            **principal.to_claims(),
            "iss": issuer,
            "aud": audience,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid})


def jwks_document(keys: list[SigningKey]) -> str:
    return json.dumps({"keys": [k.public_jwk() for k in keys]})


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
