"""A service's validation errors as the GOV.UK error summary plus inline field errors.

The service checks what a form sends (the pages check nothing themselves); its problem+json `errors`
list (each entry names its `field`; see shared/problems.py) becomes `FormErrors`: the summary
lists every error in the order of the form's fields, each linking to its field; each field shows its own
first message inline. Errors on fields the form does not show stay in the summary, unlinked.
https://design-system.service.gov.uk/components/error-summary/
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.whole_numbers import whole_number


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


def number_or_text(raw: str) -> int | str:
    """A form's number as a service's API takes it: an int when it is one, else the text as typed, which
    the service names (the pages check nothing themselves)."""
    number = whole_number(raw)
    return raw.strip() if number is None else number


def form_version(form: Any) -> int | str:
    """The version the form was started from (its hidden field), as the service's API takes it."""
    return number_or_text(str(form.get("version") or ""))


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


def form_values(form: Mapping[str, Any], fields: Sequence[str]) -> dict[str, str]:
    """A posted form's `fields` as typed, without the spaces around them (to send, and to show again)."""
    return {name: str(form.get(name) or "").strip() for name in fields}
