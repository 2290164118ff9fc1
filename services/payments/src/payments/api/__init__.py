"""Routes of the payments service (/api/v1/payments, /council/v1/payments): parse, call one handler, return.
The organisation projection's list is mounted beside them in `payments.main`."""

from fastapi import APIRouter

from payments.api import council_payments, scheduled_payments

ROUTERS: list[APIRouter] = [scheduled_payments.provider_api, council_payments.router]
