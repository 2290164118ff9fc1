"""A rule that failed, named so that a page or a client can show every failure at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleFailure:
    rule: str  # stable snake_case name, e.g. "min_length"
    message: str  # what to fix, in plain English

    def as_error(self, field: str) -> dict[str, str]:
        """The entry of a problem+json `errors` list."""
        return {"source": "body", "field": field, "rule": self.rule, "message": self.message}
