"""The claims forms' fields, and the service's refusals as the GOV.UK error summary: each error at the
field it names (the service's own rules name "quantity", "unit_cost", ...; the request's validation
"body.quantity"), its sentence starting with the field's label ("Quantity must be more than 0").
The pages check nothing the service checks; they only put together the date's three boxes."""

from __future__ import annotations

from datetime import date
from typing import Any

from gateway.service_problems import ServiceError
from gateway.web.actuals.lines import words
from gateway.web.claims import service
from gateway.web.forms import FieldError, FormErrors, form_errors
from shared.whole_numbers import whole_number

CLAIM_FIELDS = ("claim_date", "notes")
ITEM_FIELDS = (
    "description",
    "service_level_id",
    "client_id",
    "quantity",
    "unit_cost",
    "attachment_action",
    "attachment",
)
LABELS = {
    "claim_date": "Date of claim",
    "notes": "Notes",
    "description": "Description",
    "service_level_id": "Service level",
    "client_id": "Client",
    "quantity": "Quantity",
    "unit_cost": "Unit cost",
    "attachment": "Attachment",
    "attachment_action": "Attachment",
    "version": "The claim",
}
VERBS = frozenset({"must", "is", "has", "can", "cannot", "needs", "should", "may", "was", "are", "makes"})
DATE_PARTS = ("day", "month", "year")


def labelled(field: str, message: str) -> str:
    """`message` about `field` as a sentence naming it by its label: the service's "quantity must be
    more than 0" as "Quantity must be more than 0", "is not a service level you can claim" as "Service
    level is not a service level you can claim"; any other sentence as it came, capitalised."""
    label = LABELS.get(field)
    message = message.strip().rstrip(".")
    if label:
        for name in (field, field.replace("_", " ")):
            if message.lower().startswith(name + " "):
                return f"{label} {message[len(name) + 1 :]}"
        if message.split(" ", 1)[0] in VERBS:
            return f"{label} {message}"
    return message[:1].upper() + message[1:]


def service_errors(exc: ServiceError, fields: tuple[str, ...]) -> FormErrors:
    """The service's refusal as the form's errors (a problem without field errors: its text)."""
    listed = exc.body.get("errors")
    if exc.status == 422 and isinstance(listed, list) and listed:
        errors = []
        for error in listed:
            if not isinstance(error, dict):
                continue
            field = str(error.get("field") or error.get("loc") or "").rpartition(".")[2]
            message = words(str(error.get("message") or "").strip().rstrip("."))
            errors.append({"field": field, "message": labelled(field, message)})
        return form_errors(errors, fields=fields)
    return FormErrors((FieldError(None, service.problem_text(exc)),))


def date_values(form: Any, name: str = "claim_date") -> dict[str, str]:
    """The date's three boxes as typed ("claim_date-day", ...)."""
    return {f"{name}-{part}": str(form.get(f"{name}-{part}") or "").strip() for part in DATE_PARTS}


def date_boxes(day: date, name: str = "claim_date") -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def typed_date(values: dict[str, str], name: str = "claim_date") -> date | FieldError:
    """The date the three boxes make, or the error at the date saying what is wrong."""
    parts = [values.get(f"{name}-{part}", "") for part in DATE_PARTS]
    label = LABELS.get(name, "The date")
    if not any(parts):
        return FieldError(name, f"Enter the {label.lower()}")
    day, month, year = (whole_number(part) for part in parts)
    if day is None or month is None or year is None:
        return FieldError(name, f"{label} must include a day, month and year, in numbers")
    try:
        if year < 1000:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        return FieldError(name, f"{label} must be a real date, like 27 3 2026")
