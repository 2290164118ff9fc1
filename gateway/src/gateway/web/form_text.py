"""Every page form's text must be UTF-8: a field that is not is refused (400, naming it) before any page
reads the form, so nothing is sent on or stored (the kit's check, shared/form_text.py, says why)."""

from __future__ import annotations

from fastapi import Request

from gateway.cross_site import SAFE_METHODS
from gateway.web.page_problem import PageProblem
from shared.form_text import not_text_field
from shared.logging import get_logger

log = get_logger(__name__)


class NotText(PageProblem):
    def __init__(self, field: str) -> None:
        super().__init__(
            400,
            "There is a problem with what you sent",
            detail=f"{field} contains characters that are not valid text (UTF-8). Go back, check it and "
            "try again.",
        )


async def require_text_fields(request: Request) -> None:
    """On every page router, before the CSRF check reads the form: refuse a form whose text is not UTF-8."""
    if request.method in SAFE_METHODS:
        return
    field = await not_text_field(request)
    if field is not None:
        log.warning("form_not_text", path=request.url.path, field=field)
        raise NotText(readable(field))


def readable(name: str) -> str:
    """A form field's name as a person reads it: "service_start" as "Service start"."""
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "A field's name"
