"""Routes of the claims service (/api/v1/claims, /council/v1/claims): parse, call one handler, return.
The organisation projection's list is mounted beside them in `claims.main`."""

from fastapi import APIRouter

from claims.api import council_levels, reference

ROUTERS: list[APIRouter] = [
    council_levels.router,
    reference.provider_api,
]
