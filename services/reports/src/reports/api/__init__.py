"""Routes of the reports service, under /api/v1/reports: each parses the request, calls one handler
(`reports.handlers`) with the caller and the unit-of-work factory, and returns what it gets; refusals
are domain errors, made problem+json at the edge.
"""

from reports.api import council, runs
from reports.api.access import reports_only

ROUTERS = [runs.router, council.router]

__all__ = ["ROUTERS", "reports_only"]
