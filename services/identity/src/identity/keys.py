"""Identity's signing keys and the JWKS that every service and the gateway verify tokens with."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from identity.config import Settings
from shared.auth import SigningKey


def signing_keys(settings: Settings) -> list[SigningKey]:
    """The current key first, then the previous ones (still verifiable during a rotation)."""
    pems = [settings.signing_key, *settings.previous_signing_keys]
    return [SigningKey.from_pem(p.get_secret_value()) for p in pems]


router = APIRouter(tags=["keys"])


@router.get("/.well-known/jwks.json", summary="Public keys that verify internal tokens")
async def get_jwks(request: Request) -> Response:
    return Response(
        request.app.state.jwks,
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=300"},
    )
