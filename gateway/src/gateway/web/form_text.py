"""Every page form's text must be UTF-8: a field that is not is refused (400, naming it) before any page
reads the form, so nothing is sent on or stored.

Starlette reads a form leniently: in a urlencoded form a percent-escape that is not UTF-8 becomes U+FFFD
("%FF%FE" is "��") and a byte not percent-encoded is read as Latin-1; a multipart form's text field that
is not UTF-8 is read as Latin-1. Stored, either is text nobody typed. Browsers send a UTF-8 page's forms
in UTF-8 and percent-encode every byte that is not ASCII
(https://url.spec.whatwg.org/#urlencoded-serializing), so only a request made by hand is refused. A
file's content is bytes, passed on as it came (the service checks it); only text fields are checked.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from fastapi import HTTPException, Request
from starlette.formparsers import MultiPartException, MultiPartParser

from gateway.cross_site import SAFE_METHODS
from gateway.web.page_problem import PageProblem
from shared.logging import get_logger

log = get_logger(__name__)
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


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
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind == URLENCODED:
        field = not_text_field(await request.body())  # read once: request.form() parses what was read
    elif kind == MULTIPART:
        field = await _read_multipart(request)
    else:
        return
    if field is not None:
        log.warning("form_not_text", path=request.url.path, field=field)
        raise NotText(field)


def not_text_field(body: bytes) -> str | None:
    """The name (as a person reads it) of the first field of a urlencoded body whose name or value is not
    UTF-8 text, percent-encoded; None when every one is."""
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        if not (_is_text(name) and _is_text(value)):
            return readable(_decoded(name) if _is_text(name) else None)
    return None


def readable(name: str | None) -> str:
    """A form field's name as a person reads it: "service_start" as "Service start"."""
    words = (name or "").replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "A field's name"


def _is_text(raw: bytes) -> bool:
    if not raw.isascii():
        return False
    try:
        _decoded(raw)
    except UnicodeDecodeError:
        return False
    return True


def _decoded(raw: bytes) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")


class _CheckedMultiPartParser(MultiPartParser):
    """Starlette's own parser (files spooled as it spools them), noting the first text field that is not
    UTF-8, which it would read as Latin-1."""

    not_text: str | None = None

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None and self.not_text is None:
            try:
                bytes(part.data).decode("utf-8")
            except UnicodeDecodeError:
                self.not_text = readable(part.field_name)
        super().on_part_end()


async def _read_multipart(request: Request) -> str | None:
    """The form read here, once, as request.form() would read it (and then answers): Starlette decides
    how a field is decoded inside its parser, and only there are the bytes of a text field seen."""
    parser = _CheckedMultiPartParser(request.headers, request.stream())
    try:
        form = await parser.parse()
    except MultiPartException as exc:  # as request.form() answers it
        raise HTTPException(400, detail=exc.message) from exc
    if parser.not_text is not None:
        await form.close()
        return parser.not_text
    request._form = form  # what request.form() returns from now on (the stream is read)
    return None
