"""The pages' calls to the payments service's provider API (/api/v1/payments, docs/scheduled-payments.md),
as the logged-in person, through the gateway's one client of the service (web/service_pages.py)."""

from __future__ import annotations

from gateway.web.service_pages import ServicePages
from gateway.web.service_pages import problem_text as problem_text  # the pages call it service.problem_text

SERVICE = "payments"
PREFIX = "/api/v1/payments"
CALLS = ServicePages(SERVICE, PREFIX)
client, path, read, write, page_problem = (
    CALLS.client,
    CALLS.path,
    CALLS.read,
    CALLS.write,
    CALLS.page_problem,
)
