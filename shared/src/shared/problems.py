"""RFC 9457 problem details: every error any service or the gateway returns has this shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import DomainError
from shared.logging import get_logger

log = get_logger(__name__)
PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """Raise from a handler to answer with problem+json. `errors` lists field-level problems."""

    def __init__(
        self,
        status: int,
        title: str,
        *,
        detail: str | None = None,
        type_: str = "about:blank",
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_
        self.errors = errors
        self.headers = headers


def problem_response(
    request: Request,
    status: int,
    title: str,
    *,
    detail: str | None = None,
    type_: str = "about:blank",
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "instance": request.url.path}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """One entry per failing field: where (a JSON pointer-like path), and what is wrong with it."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in {"body", "query", "path", "header", "cookie"}:
            source, path = loc[0], loc[1:]
        else:
            source, path = "body", loc
        out.append({"source": source, "field": ".".join(path), "message": _message(err)})
    return out


def _message(err: Any) -> str:
    """pydantic's message, except a text over its limit: said as the services' rules say it, with the count."""
    limit = (err.get("ctx") or {}).get("max_length")
    if err.get("type") == "string_too_long" and isinstance(limit, int) and isinstance(err.get("input"), str):
        return f"must be {limit:,} characters or fewer (it has {len(err['input']):,})"
    return str(err.get("msg", "invalid"))


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(
        request,
        exc.status,
        exc.title,
        detail=exc.detail,
        type_=exc.type,
        errors=exc.errors,
        headers=exc.headers,
    )


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    """The one place where a handler's refusal becomes HTTP."""
    assert isinstance(exc, DomainError)
    return problem_response(
        request,
        exc.status,
        exc.title,
        detail=exc.detail,
        type_=exc.type,
        errors=exc.errors(),
        headers=exc.headers(),
    )


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(
        request, exc.status_code, _title(exc.status_code), detail=str(exc.detail), headers=exc.headers
    )


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc)
    fields = ", ".join(e["field"] or e["source"] for e in errors)
    # one fault: said whole, as Invalid.field says it ("text: must be 7,500 characters or fewer ...")
    detail = f"{fields}: {errors[0]['message']}" if len(errors) == 1 else f"Check these fields: {fields}"
    return problem_response(request, 422, "Your request has errors", detail=detail, errors=errors)


async def _on_unstorable_text(request: Request, exc: Exception) -> JSONResponse:
    # PostgreSQL text (and jsonb) cannot hold U+0000: JSON can carry it ("\u0000"), so a request may bring it.
    return problem_response(
        request,
        422,
        "Your request has errors",
        detail="A text value contains the NUL character (U+0000), which cannot be stored; remove it.",
    )


async def _on_unhandled(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", path=request.url.path)
    return problem_response(request, 500, "Internal Server Error", detail="Something went wrong on our side.")


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install_problem_handlers(app: Any) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    for unstorable in (asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError):
        app.add_exception_handler(unstorable, _on_unstorable_text)
    app.add_exception_handler(Exception, _on_unhandled)
