"""Routes of the messaging service (/api/v1/messaging, /council/v1/messaging): parse, call one handler, return.
None of its own yet: the organisation projection's list is mounted beside them in `messaging.main`."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
