"""Domain errors: what a handler raises when a use case cannot go on, in the business's words.

Handlers and domain rules know nothing of HTTP. The edge (`shared.problems.install_problem_handlers`)
maps each kind to one problem+json answer (RFC 9457) in one place, so that the same refusal reads the
same in every service. `code` becomes the problem's stable `type` (urn:provider-portal:problem:<code>),
which pages and clients match on instead of parsing the English.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Self

PROBLEM_BASE = "urn:provider-portal:problem:"


def common_code(codes: Iterable[str]) -> str:
    """The code of faults that all share one, else `invalid-fields`."""
    distinct = set(codes)
    return distinct.pop() if len(distinct) == 1 else "invalid-fields"


@dataclass(frozen=True)
class FieldError:
    """One input that is wrong, and why (shown by the pages at that field)."""

    field: str
    message: str
    source: str = "body"

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "field": self.field, "message": self.message}


class DomainError(Exception):
    """Base of every refusal a handler raises. `status` is used only by the edge's mapping."""

    status: ClassVar[int] = 400
    default_title: ClassVar[str] = "Bad Request"

    def __init__(
        self,
        detail: str,
        *,
        title: str | None = None,
        code: str | None = None,
        fields: list[FieldError] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.title = title or self.default_title
        self.code = code
        self.fields = fields

    @classmethod
    def all_of(cls, fields: list[FieldError], *, code: str | None = None) -> Self:
        """Every field that is wrong, in one refusal: "a: why; b: why"."""
        return cls("; ".join(f"{f.field}: {f.message}" for f in fields), code=code, fields=fields)

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.code if self.code else "about:blank"

    def errors(self) -> list[dict[str, Any]] | None:
        return [f.as_dict() for f in self.fields] if self.fields is not None else None

    def headers(self) -> dict[str, str] | None:
        return None


class Invalid(DomainError):
    """The input breaks a rule: 422, naming each field that is wrong."""

    status = 422
    default_title = "Unprocessable Content"

    @classmethod
    def field(cls, field: str, message: str, *, code: str = "invalid-field") -> Invalid:
        return cls(f"{field}: {message}", code=code, fields=[FieldError(field, message)])


class BadRequest(DomainError):
    status = 400
    default_title = "Bad Request"


class Unauthenticated(DomainError):
    """No valid credentials: 401 (with a Bearer challenge)."""

    status = 401
    default_title = "Unauthorized"

    def __init__(self, detail: str, *, challenge: bool = False, **kw: Any) -> None:
        super().__init__(detail, **kw)
        self.challenge = challenge

    def headers(self) -> dict[str, str] | None:
        return {"WWW-Authenticate": "Bearer"} if self.challenge else None


class Forbidden(DomainError):
    status = 403
    default_title = "Forbidden"


class NotFound(DomainError):
    """404: also for another tenant's ids, which must not be confirmed to exist."""

    status = 404
    default_title = "Not Found"

    @classmethod
    def of(cls, what: str, *, code: str | None = None) -> NotFound:
        return cls(f"There is no {what} with that id that you can see.", code=code)


class Conflict(DomainError):
    """The state does not allow it (already decided, already exists, a newer revision...)."""

    status = 409
    default_title = "Conflict"


class TooManyAttempts(DomainError):
    status = 429
    default_title = "Too many attempts"

    def __init__(self, detail: str, *, retry_after: int, **kw: Any) -> None:
        super().__init__(detail, code=kw.pop("code", "rate-limited"), **kw)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after)}


class Unavailable(DomainError):
    """A dependency is down or busy: 503, try again later."""

    status = 503
    default_title = "Service Unavailable"
