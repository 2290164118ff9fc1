"""Typed records: what a store returns instead of a dict.

A record is a frozen pydantic model of one row, so a handler reads `user.email` (checked by mypy) rather
than `user["email"]`, cannot change a row it was given, and can return it where an API model with the
same fields is expected. Extra columns a query selects are ignored, so one SELECT can serve several
records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", from_attributes=True)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """One row (an asyncpg Record or any mapping)."""
        return cls.model_validate(dict(row))

    @classmethod
    def maybe(cls, row: Mapping[str, Any] | None) -> Self | None:
        """None stays None: for `fetchrow`, which answers None when nothing matched."""
        return None if row is None else cls.from_row(row)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> list[Self]:
        return [cls.from_row(row) for row in rows]
