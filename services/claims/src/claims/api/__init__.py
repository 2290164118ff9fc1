"""Routes of the claims service: /api/v1/claims/** for providers, /council/v1/claims/** for the council.

A route parses the request, calls one handler (`claims.handlers`) with the `CurrentCaller` and the
`WorkDep`, and returns what it gets; no SQL and no rules here (domain errors become problem+json at the
edge). One module per area, each with its `router`, listed in ROUTERS.

No routes of its own yet: the organisations list (`GET /api/v1/claims/organisations`) is the
organisation projection's, mounted beside these in `claims.main`.
"""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []

__all__ = ["ROUTERS"]
