"""Routes of the claims service (/api/v1/claims, /council/v1/claims): parse, call one handler, return.
The organisation projection's list is mounted beside them in `claims.main`."""

from fastapi import APIRouter

from claims.api import council_claims, council_levels, provider, provider_items, reference

ROUTERS: list[APIRouter] = [
    council_levels.router,
    council_claims.router,
    reference.provider_api,
    provider.provider_api,
    provider_items.provider_items_api,
]
