"""Routes of the payments service (/api/v1/payments, /council/v1/payments): parse, call one handler, return.
The organisation projection's list is mounted beside them in `payments.main`."""

from fastapi import APIRouter

from payments.api import (
    council_documents,
    council_invoices,
    council_payments,
    council_runs,
    council_schedules,
    invoices,
    purchase_orders,
    remittances,
    scheduled_payments,
)

ROUTERS: list[APIRouter] = [
    council_schedules.router,
    council_runs.router,
    scheduled_payments.provider_api,
    council_payments.router,
    purchase_orders.router,
    remittances.router,
    council_documents.router,
    invoices.provider_api,
    council_invoices.router,
]
