"""Routes of the actuals service (/api/v1/actuals, /council/v1/actuals): parse, call one handler, return.
The organisation projection's list is mounted beside them in `actuals.main`."""

from fastapi import APIRouter

from actuals.api import council, imports

ROUTERS: list[APIRouter] = [
    council.router,
    imports.router,  # bulk import and export
]
