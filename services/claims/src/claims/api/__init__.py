"""Routes of the claims service (/api/v1/claims, /council/v1/claims): parse, call one handler, return.
None of its own yet: the organisation projection's list is mounted beside them in `claims.main`."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
