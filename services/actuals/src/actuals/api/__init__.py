"""Routes of the actuals service (/api/v1/actuals, /council/v1/actuals): parse, call one handler, return.
The organisation projection's list is mounted beside them in `actuals.main`."""

from fastapi import APIRouter

from actuals.api import council, cplis, imports, weeks

ROUTERS: list[APIRouter] = [
    council.router,
    imports.router,  # bulk import and export
    cplis.provider_api,
    weeks.provider_api,
]
