"""A run's parameters: what the user typed or picked, checked against the report's definition.

`parse` is used twice: when the run is asked for (every problem named at its field, nothing queued) and
when a worker renders it (the stored text read back as the types a source takes, see
`reports.domain.catalogue`). What is stored is `canonical`: the same values as text, so a stored run
reads the same to any version of the service that can render it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from reports.domain.catalogue import ParameterName, ReportDefinition
from shared.errors import FieldError, Invalid

YEAR = re.compile(r"^(\d{4})(?:/(\d{2}|\d{4}))?$")  # 2018, 2018/19 or 2018/2019
IDS: frozenset[str] = frozenset({"organisation_id", "contract_id", "remittance_id", "purchase_order_id"})
YES = {"true", "yes", "on", "1", "summary"}
NO = {"false", "no", "off", "0", "", "detail"}
EARLIEST_YEAR = 2000
LATEST_YEAR = 2099
MAX_TEXT = 200


class BadParameters(Invalid):
    """Parameters a report cannot run with: each one wrong named at its field (`parameters.<name>`)."""

    def __init__(self, report: str, fields: list[FieldError]) -> None:
        names = ", ".join(f.field.removeprefix("parameters.") for f in fields)
        super().__init__(
            f"the {report} report cannot run with these parameters ({names})",
            title="Your request has errors",
            code="bad-report-parameters",
            fields=fields,
        )


def parse(definition: ReportDefinition, given: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters as a source takes them; BadParameters naming every missing, unknown or bad one.

    An optional parameter left empty is absent from the result (the source reads "all")."""
    faults: list[FieldError] = []
    parsed: dict[str, Any] = {}
    declared = {p.name for p in definition.parameters}
    for name in sorted(set(given) - declared):
        allowed = ", ".join(sorted(declared)) or "none"
        faults.append(_fault(name, f"this report takes no {name} (it takes: {allowed})"))
    for parameter in definition.parameters:
        raw = given.get(parameter.name)
        text = "" if raw is None else str(raw).strip()
        if parameter.name == "summary":  # a checkbox: absent means detail
            value = _flag(text)
            if value is None:
                faults.append(_fault("summary", "choose summary or detail"))
            else:
                parsed["summary"] = value
            continue
        if not text:
            if parameter.required and not _given(given, parameter.unless):
                faults.append(_fault(parameter.name, f"enter the {parameter.label.lower()}"))
            continue
        try:
            parsed[parameter.name] = _value(parameter.name, text)
        except ValueError as problem:
            faults.append(_fault(parameter.name, str(problem)))
    if faults:
        raise BadParameters(definition.key, faults)
    return parsed


def _given(given: Mapping[str, Any], name: str | None) -> bool:
    return name is not None and given.get(name) is not None and str(given[name]).strip() != ""


def canonical(parsed: Mapping[str, Any]) -> dict[str, str]:
    """Parsed parameters as the text `parse` reads back to the same values (what a run stores)."""
    return {name: _text(value) for name, value in parsed.items()}


def described(definition: ReportDefinition, parsed: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of each parameter given, in the definition's order: the file's header lines."""
    return [(p.label, _shown(p.name, parsed[p.name])) for p in definition.parameters if p.name in parsed]


def _value(name: ParameterName, text: str) -> Any:
    if name in IDS:
        try:
            return uuid.UUID(text)
        except ValueError:
            raise ValueError("choose one from the list (this is not an id we know)") from None
    if name == "period_start":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError("enter the period's first day as a date, like 2019-09-23") from None
    if name in ("financial_year", "tax_year"):
        return _year(text)
    if len(text) > MAX_TEXT:  # payment_method: the method's name
        raise ValueError(f"must be at most {MAX_TEXT} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):  # never stored: the database refuses NUL
        raise ValueError("must be the payment method's name, without control characters")
    return text


def _year(text: str) -> int:
    match = YEAR.match(text)
    if match is None:
        raise ValueError("enter the year as 2018/19")
    start, end = int(match.group(1)), match.group(2)
    if end is not None and int(end) != (start + 1 if len(end) == 4 else (start + 1) % 100):
        raise ValueError(f"{text} is not a year: the second year follows the first, like 2018/19")
    if not EARLIEST_YEAR <= start <= LATEST_YEAR:
        raise ValueError(f"choose a year from {EARLIEST_YEAR}/{(EARLIEST_YEAR + 1) % 100:02d} on")
    return start


def _flag(text: str) -> bool | None:
    lowered = text.lower()
    return True if lowered in YES else False if lowered in NO else None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _shown(name: str, value: Any) -> str:
    if name in ("financial_year", "tax_year"):
        return f"{value}/{(value + 1) % 100:02d}"
    if name == "summary":
        return "Summary" if value else "Detail"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _fault(name: str, message: str) -> FieldError:
    return FieldError(f"parameters.{name}", message)
