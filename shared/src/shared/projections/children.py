"""The rows of a projection that belong to one parent row and come whole with each state of it: a
confirmed week's lines, a payment's lines, a claim's accepted items. The event carries them as a list of
items; the kit writes them in one statement (`unnest` of one array a column), each column filled from the
item's field of the same name, and `replace` first deletes the parent's rows of the older state (a line
removed on correction goes).

Every name in the SQL comes from code and is checked as an identifier; the values travel as parameters.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import asyncpg

from shared.db import ident


@dataclass(frozen=True)
class ChildRows:
    """`table` (schema-qualified) holds the children of the row whose key is in column `parent`;
    `columns` are (column, SQL type), each column named as the item's field that fills it. `numbered`:
    a `line_no` integer column, 1, 2, ... in the event's order."""

    table: str
    parent: str
    columns: tuple[tuple[str, str], ...]
    numbered: bool = False

    def __post_init__(self) -> None:
        schema, _, table = self.table.partition(".")
        for name in (schema, table, self.parent, *(column for column, _ in self.columns)):
            ident(name)  # a ValueError naming it, at import
        for _, sql_type in self.columns:
            if sql_type not in SQL_TYPES:
                raise ValueError(f"{self.table}: {sql_type!r} is not one of {sorted(SQL_TYPES)}")

    @cached_property
    def _table(self) -> str:
        schema, _, table = self.table.partition(".")
        return f"{ident(schema)}.{ident(table)}"

    @cached_property
    def insert_sql(self) -> str:
        columns = [*((("line_no", "integer"),) if self.numbered else ()), *self.columns]
        names = ", ".join(ident(column) for column, _ in columns)
        arrays = ", ".join(f"${n}::{sql_type}[]" for n, (_, sql_type) in enumerate(columns, start=2))
        return (
            f"INSERT INTO {self._table} ({ident(self.parent)}, {names})"
            f" SELECT $1, c.* FROM unnest({arrays}) AS c({names})"
        )

    @cached_property
    def delete_sql(self) -> str:
        return f"DELETE FROM {self._table} WHERE {ident(self.parent)} = $1"

    def values(self, items: Sequence[Any]) -> list[list[Any]]:
        """One array a column (after `line_no`'s, when numbered), in the items' order."""
        arrays = [[getattr(item, column) for item in items] for column, _ in self.columns]
        return [list(range(1, len(items) + 1)), *arrays] if self.numbered else arrays

    async def insert(self, conn: asyncpg.Connection, parent_id: uuid.UUID, items: Sequence[Any]) -> None:
        await conn.execute(self.insert_sql, parent_id, *self.values(items))

    async def replace(self, conn: asyncpg.Connection, parent_id: uuid.UUID, items: Sequence[Any]) -> None:
        """The parent's rows of an older state deleted, then these written."""
        await conn.execute(self.delete_sql, parent_id)
        await self.insert(conn, parent_id, items)


SQL_TYPES = frozenset({"uuid", "text", "date", "numeric", "boolean", "integer", "timestamptz"})
