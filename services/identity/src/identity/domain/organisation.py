"""An organisation's details as a provider asks to change them: tidied, and compared with what is held."""

from __future__ import annotations

from collections.abc import Mapping

DETAILS = ("name", "address", "postcode", "phone", "email")


def tidy(details: Mapping[str, str]) -> dict[str, str]:
    """Trimmed lines (no blank ones) in the address; postcode upper-case, single-spaced; e-mail lower-case."""
    lines = (line.strip() for line in details["address"].replace("\r\n", "\n").split("\n"))
    return {
        "name": " ".join(details["name"].split()),
        "address": "\n".join(line for line in lines if line),
        "postcode": " ".join(details["postcode"].upper().split()),
        "phone": " ".join(details["phone"].split()),
        "email": details["email"].strip().lower(),
    }


def changed_details(current: Mapping[str, str | None], asked: Mapping[str, str]) -> list[str]:
    """The details (in DETAILS order) whose asked value differs from the organisation's."""
    return [name for name in DETAILS if asked[name] != current.get(name)]
