"""Routes of the messaging service (/api/v1/messaging, /council/v1/messaging): parse, call one handler,
return. The organisation projection's list is mounted beside them in `messaging.main`."""

from fastapi import APIRouter

from messaging.api import council, provider

ROUTERS: list[APIRouter] = [council.router, provider.provider_api]
