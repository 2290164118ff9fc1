"""The reports capability on routes the reports service mounts but did not write (the organisation
projection's list): every route under /api/v1/reports is a finance function, these included."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from shared.capabilities import Capability, require_capability
from shared.http import CurrentPrincipal


def require_reports(principal: CurrentPrincipal) -> None:
    require_capability(principal, Capability.reports)


def reports_only(router: APIRouter) -> APIRouter:
    """`router`, with the reports capability checked before each of its routes runs."""
    guarded = APIRouter(dependencies=[Depends(require_reports)])
    guarded.include_router(router)
    return guarded
