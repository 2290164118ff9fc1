"""identity's problems (docs/identity-api.md) as the errors of a page's form: every broken rule on its
field (the confirmation rule on the confirmation field), the others (wrong password, locked, too many
attempts) as identity words them, on the field they are about or on the whole form.

identity checks what a form sends, once: the pages check nothing themselves. They only word what
identity says for a person: a field left blank gets the page's own "Enter ..." (GOV.UK's pattern), and
the generic phrases of identity's request validation read as plain English after the field's label."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from gateway.identity_client import BUSY, IdentityError
from gateway.web.forms import FieldError, FormErrors, form_errors

UNAVAILABLE = "Logging in is not possible just now. Try again in a few minutes."
# HTTP's own reason phrases, which identity uses as titles where its detail says it all.
GENERIC_TITLES = frozenset({"Bad Request", "Forbidden", "Not Found", "Conflict", "Too many attempts"})


def sentence(label: str | None, message: str) -> str:
    """identity's "must be at least 12 characters long" as "The new password must be ..."."""
    message = message.strip().rstrip(".")
    if label and message[:1].islower() and message.split(" ", 1)[0] in {"must", "is", "has", "can", "cannot"}:
        return f"{label} {message}"
    return message[:1].upper() + message[1:]


def problem_text(exc: IdentityError) -> str:
    """The problem's title and detail as one message ("This account is locked. Contact ...")."""
    if exc.type == BUSY:
        return str(exc.body["detail"])
    if exc.status >= 500:
        return UNAVAILABLE
    title = str(exc.body.get("title") or "There is a problem").rstrip(".")
    detail = str(exc.body.get("detail") or "").strip()
    if detail and title in GENERIC_TITLES:  # "Conflict. a request ..." says no more than "A request ..."
        return sentence(None, detail) + "."
    return f"{title}. {detail}" if detail else title


def identity_form_errors(
    exc: IdentityError,
    *,
    fields: Sequence[str],
    labels: Mapping[str, str],
    confirm: Mapping[str, str] | None = None,
    on_field: str | None = None,
    aliases: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    blank: Mapping[str, str] | None = None,
) -> FormErrors:
    """The errors to show for `exc` on a form of `fields`. `confirm` maps a field to its confirmation
    field (where a failed `confirmation` rule goes); `on_field` is the field a problem without `errors`
    is about (None: the whole form); `blank` words a refused field that was left empty in `values`."""
    confirm = confirm or {}
    aliases = aliases or {}
    values = values or {}
    blank = blank or {}
    listed = exc.body.get("errors")
    if exc.status in {403, 422} and isinstance(listed, list) and listed:
        # Every broken rule is named, one message per field (GOV.UK): "... must be X and must be Y".
        by_field: dict[str, list[str]] = {}
        for error in listed:
            if not isinstance(error, dict):
                continue
            field = _form_field(str(error.get("field") or ""), fields, aliases)
            if error.get("rule") == "confirmation" and field in confirm:
                field = confirm[field]
            if field in blank and not values.get(field, "").strip():
                by_field[field] = [blank[field]]
                continue
            message = plain(str(error.get("message") or "").strip().rstrip("."))
            if exc.type.endswith("wrong-current-password"):
                message = problem_text(exc)
            if message not in by_field.setdefault(field, []):
                by_field[field].append(message)
        errors = [
            {"field": field, "message": sentence(labels.get(field), _and(messages))}
            for field, messages in by_field.items()
        ]
        return form_errors(errors, fields=fields)
    return FormErrors((FieldError(on_field, problem_text(exc)),))


def _form_field(raw: str, fields: Sequence[str], aliases: Mapping[str, str]) -> str:
    """The form's field for identity's `field`: a nested one ("access.role": a body that is one of
    several kinds) is named by its last part."""
    for name in (raw, raw.rpartition(".")[2]):
        if name in aliases:
            return aliases[name]
        if name in fields:
            return name
    return raw


# identity's request validation (pydantic) words some rules for programmers: these read as English.
_PLAIN = (
    (re.compile(r"^Value error, "), ""),
    (re.compile(r"^String should have at most (\d+) characters?$"), r"must be \1 characters or fewer"),
    (re.compile(r"^String should have at least 1 character$"), "is required"),
    (re.compile(r"^String should have at least (\d+) characters$"), r"must be at least \1 characters"),
    (re.compile(r"^Field required$"), "is required"),
    (re.compile(r"^Input should be .*$"), "must be one of the choices offered"),
    (re.compile(r"^String should match pattern .*$"), "is not in the right format"),
)


def plain(message: str) -> str:
    for pattern, replacement in _PLAIN:
        message = pattern.sub(replacement, message)
    return message


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def required(values: Mapping[str, str], messages: Mapping[str, str]) -> FormErrors:
    """The fields left empty, each with its "Enter ..." message, in the order of `messages`."""
    return FormErrors(
        tuple(FieldError(name, text) for name, text in messages.items() if not values.get(name))
    )
