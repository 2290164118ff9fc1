"""Routes of the claims service (/api/v1/claims, /council/v1/claims): parse, call one handler, return.
The organisation projection's list is mounted beside them in `claims.main`."""

from fastapi import APIRouter

from claims.api import provider, provider_items

ROUTERS: list[APIRouter] = [
    provider.provider_api,
    provider_items.provider_items_api,
]
