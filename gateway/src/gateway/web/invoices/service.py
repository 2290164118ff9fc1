"""The pages' calls to the payments service's provider API for invoices (/api/v1/payments/invoices,
docs/invoices.md), as the logged-in person, through the gateway's one client of the service."""

from __future__ import annotations

from gateway.web.service_pages import ServicePages
from gateway.web.service_pages import problem_text as problem_text  # the pages call it service.problem_text

CALLS = ServicePages("payments", "/api/v1/payments")
read, write, page_problem = CALLS.read, CALLS.write, CALLS.page_problem
