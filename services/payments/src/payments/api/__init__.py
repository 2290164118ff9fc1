"""Routes of the payments service (/api/v1/payments, /council/v1/payments): parse, call one handler, return.
None of its own yet: the organisation projection's list is mounted beside them in `payments.main`."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
