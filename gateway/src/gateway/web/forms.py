"""Validation errors, wherever they come from, as the GOV.UK error summary plus inline field errors.

Two sources, one shape: a service's problem+json `errors` list (each entry names its `field`; see
shared/problems.py) and this gateway's own pydantic form models. Both become `FormErrors`: the summary
lists every error in the order of the form's fields, each linking to its field; each field shows its own
first message inline. Errors on fields the form does not show stay in the summary, unlinked.
https://design-system.service.gov.uk/components/error-summary/
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import AfterValidator, BaseModel, ValidationError

Form = TypeVar("Form", bound=BaseModel)


@dataclass(frozen=True)
class FieldError:
    field: str | None  # the form's field name, or None for an error about the whole form
    message: str

    @property
    def href(self) -> str | None:
        return f"#{self.field}" if self.field else None


@dataclass(frozen=True)
class FormErrors:
    items: tuple[FieldError, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.items)

    def for_field(self, field: str) -> str | None:
        """The inline message of `field` (its first error), or None."""
        return next((e.message for e in self.items if e.field == field), None)

    @property
    def summary(self) -> tuple[FieldError, ...]:
        return self.items

    @classmethod
    def whole(cls, message: str) -> FormErrors:
        """One error about the whole form (shown in the summary only)."""
        return cls((FieldError(None, message),))


NO_ERRORS = FormErrors()


def form_errors(
    errors: Iterable[Mapping[str, Any]], *, fields: Sequence[str], aliases: Mapping[str, str] | None = None
) -> FormErrors:
    """`errors` in the problem+json shape ({"field": ..., "message": ...}) as the errors of a form
    whose fields are `fields` (in page order). `aliases` maps a service's field name to the form's."""
    aliases = aliases or {}
    order = {name: index for index, name in enumerate(fields)}
    seen: set[str] = set()
    on_fields: list[FieldError] = []
    general: list[FieldError] = []
    for error in errors:
        raw = str(error.get("field") or "")
        name = aliases.get(raw, raw)
        message = str(error.get("message") or error.get("detail") or "There is a problem with this answer")
        if name in order:
            if name not in seen:  # one message per field, the first (GOV.UK: show one error per field)
                seen.add(name)
                on_fields.append(FieldError(name, message))
        else:
            general.append(FieldError(None, message))
    on_fields.sort(key=lambda e: order[e.field or ""])
    return FormErrors(tuple(general + on_fields))


def problem_errors(exc: ValidationError) -> list[dict[str, str]]:
    """A pydantic ValidationError as the problem+json `errors` list, messages as the user should read them."""
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()))
        message = str(err.get("msg", ""))
        # Our validators raise ValueError("Enter your name"); pydantic prefixes that with "Value error, ".
        message = message.removeprefix("Value error, ")
        out.append({"source": "body", "field": field, "message": message})
    return out


def check_form(
    form: Mapping[str, Any], model: type[Form], fields: Sequence[str]
) -> tuple[dict[str, str], Form | None, FormErrors]:
    """A posted form's `fields` as typed (to show again), and either the `model` they make or, when
    they do not, the form's errors."""
    values = {name: str(form.get(name) or "") for name in fields}
    try:
        return values, model.model_validate(values), NO_ERRORS
    except ValidationError as exc:
        return values, None, form_errors(problem_errors(exc), fields=fields)


# Checks of the answers of a form model (pydantic), worded as GOV.UK's patterns word them.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_TELEPHONE = re.compile(r"^\+?[0-9 ()-]+$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def required_text(required: str, *, max_length: int, too_long: str) -> AfterValidator:
    """Not empty ("Enter ..." otherwise) and at most `max_length` characters."""

    def check(value: str) -> str:
        if not value:
            raise ValueError(required)
        if len(value) > max_length:
            raise ValueError(too_long)
        return value

    return AfterValidator(check)


def email_format(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("Enter an email address in the correct format, like name@example.com")
    return value


def telephone_format(value: str) -> str:
    digits = sum(ch.isdigit() for ch in value)
    if not _TELEPHONE.match(value) or not 10 <= digits <= 15:
        raise ValueError("Enter a telephone number, like 01632 960 001 or 07700 900 982")
    return value


def postcode_format(value: str) -> str:
    """A UK postcode, in any case and spacing (https://design-system.service.gov.uk/patterns/addresses/)."""
    if not _POSTCODE.match(" ".join(value.upper().split())):
        raise ValueError("Enter a full UK postcode, like TF1 7YD")
    return value
