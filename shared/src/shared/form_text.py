"""A form's text fields must be UTF-8: read a form once, as `request.form()` would, and name the first
text field that is not, so that the caller refuses it before anything reads the form (the gateway's page
forms, and the services' multipart operations).

Starlette reads a form leniently: in a urlencoded form a percent-escape that is not UTF-8 becomes U+FFFD
("%FF%FE" is "��") and a byte not percent-encoded is read as Latin-1; a multipart form's text field that
is not UTF-8 is read as Latin-1. Stored, either is text nobody typed. Browsers send a UTF-8 page's forms
in UTF-8 and percent-encode every byte that is not ASCII
(https://url.spec.whatwg.org/#urlencoded-serializing), so only a request made by hand is refused. A
file's content is bytes, passed on as it came (its reader checks it); only text fields are checked.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.formparsers import MultiPartException, MultiPartParser

from shared.errors import Invalid

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
NOT_TEXT = "contains characters that are not valid text (UTF-8)"


async def not_text_field(request: Request, *, max_files: int = 1000, max_fields: int = 1000) -> str | None:
    """The name (as sent) of the form's first text field whose name or value is not UTF-8 text; None when
    every one is, or the body is no form.

    The body is read here, once, through the request's own `receive` (so a caller's size limit on it
    still applies): a urlencoded body is kept as the request's body, a multipart form as its form, which
    `request.form()` then returns. A form with such a field is closed and not kept."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind == URLENCODED:
        return urlencoded_not_text(await request.body())
    if kind != MULTIPART or request._form is not None:
        return None
    parser = _CheckedMultiPartParser(
        request.headers, request.stream(), max_files=max_files, max_fields=max_fields
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:  # as request.form() answers it
        raise HTTPException(400, detail=exc.message) from exc
    if parser.not_text is not None:
        await form.close()
        return parser.not_text
    # Starlette decides how a field is decoded inside its parser, and only there are a text field's bytes
    # seen: its form is kept where request.form() looks for one read before (the stream is read).
    request._form = form
    return None


def urlencoded_not_text(body: bytes) -> str | None:
    """The first field of a urlencoded body whose name or value is not UTF-8 text, percent-encoded: its
    name when that is text, else ""; None when every field is text."""
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        if not (_is_text(name) and _is_text(value)):
            return _decoded(name) if _is_text(name) else ""
    return None


def refuse_not_text(field: str) -> Invalid:
    """The API's refusal of a form field that is not text: a 422 at the field."""
    return Invalid.field(field or "form", NOT_TEXT, code="not-text")


class TextFormRoute(APIRoute):
    """The route class of a router whose operations take `Form()` or `File()` parameters: FastAPI reads
    the form before the operation runs, so the form is read and checked first, and a text field that is
    not UTF-8 is refused at its field (422) before the operation sees it. Not for an operation that reads
    its own form through a size-limited `receive` (it calls `not_text_field` itself)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            field = await not_text_field(request)
            if field is not None:
                raise refuse_not_text(field)
            return await handler(request)

        return checked


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
    text in the form's charset (UTF-8 unless the client declares another), which it would read as
    Latin-1."""

    not_text: str | None = None

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None and self.not_text is None:
            try:
                bytes(part.data).decode(self._charset)
            except UnicodeDecodeError:
                self.not_text = part.field_name
        super().on_part_end()
