"""Scoped queries by default: the store helpers that add the caller's authority, organisation and scope.

A store function writes its SQL with a `{scope}` marker where the filter goes, numbers its own
parameters from $1, and passes a `Scope` made from the verified caller; the helper puts the filter
(`shared.scoping.scope_where`) in place with its parameters numbered after the function's own:

    rows = await fetch(conn, Client, "SELECT * FROM client WHERE {scope} AND ssref = $1", ssref,
                       scope=Scope.of(principal))

A query that must not be filtered (a consumer applying an event, a job of the system) says why with
`Unscoped("...")`; then the SQL may not hold the marker. A scoped query without the marker, or an
unscoped one with it, is refused before it reaches the database, so a filter cannot be forgotten.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

import asyncpg

from shared.auth import Principal
from shared.records import Record
from shared.scoping import Columns, scope_where

R = TypeVar("R", bound=Record)
MARKER = "{scope}"


@dataclass(frozen=True)
class Scope:
    """The rows a caller may touch in a table whose scoping ids are in `columns`."""

    principal: Principal
    columns: Columns = field(default_factory=Columns)
    organisation_rows: bool = False  # rows of no contract are visible to contract/service scopes

    @classmethod
    def of(
        cls, principal: Principal, columns: Columns | None = None, *, organisation_rows: bool = False
    ) -> Scope:
        return cls(principal, columns or Columns(), organisation_rows)

    def where(self, first_param: int) -> tuple[str, list[Any]]:
        return scope_where(
            self.principal, self.columns, first_param=first_param, organisation_rows=self.organisation_rows
        )


@dataclass(frozen=True)
class AuthorityScope:
    """Every row of one authority: for council-side work and for system work on an authority's behalf."""

    authority_id: uuid.UUID
    column: str = "authority_id"

    def where(self, first_param: int) -> tuple[str, list[Any]]:
        return f"{self.column} = ${first_param}", [self.authority_id]


@dataclass(frozen=True)
class Unscoped:
    """No filter, on purpose: `reason` says why (read in review, logged nowhere)."""

    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("an unscoped query must say why it is unscoped")


AnyScope = Scope | AuthorityScope | Unscoped


def scoped_sql(sql: str, args: tuple[Any, ...], scope: AnyScope) -> tuple[str, list[Any]]:
    """The SQL with the filter in place of `{scope}`, and all its parameters in order."""
    if isinstance(scope, Unscoped):
        if MARKER in sql:
            raise ValueError("an Unscoped query must not hold the {scope} marker")
        return sql, list(args)
    if sql.count(MARKER) != 1:
        raise ValueError("a scoped query must hold the {scope} marker exactly once")
    where, params = scope.where(len(args) + 1)
    return sql.replace(MARKER, f"({where})"), [*args, *params]


async def fetch(conn: asyncpg.Connection, record: type[R], sql: str, *args: Any, scope: AnyScope) -> list[R]:
    query, params = scoped_sql(sql, args, scope)
    return record.from_rows(await conn.fetch(query, *params))


async def fetch_one(
    conn: asyncpg.Connection, record: type[R], sql: str, *args: Any, scope: AnyScope
) -> R | None:
    query, params = scoped_sql(sql, args, scope)
    return record.maybe(await conn.fetchrow(query, *params))


async def fetch_value(conn: asyncpg.Connection, sql: str, *args: Any, scope: AnyScope) -> Any:
    query, params = scoped_sql(sql, args, scope)
    return await conn.fetchval(query, *params)


async def execute(conn: asyncpg.Connection, sql: str, *args: Any, scope: AnyScope) -> str:
    """An UPDATE or DELETE limited to the caller's rows; answers asyncpg's status ("UPDATE 1")."""
    query, params = scoped_sql(sql, args, scope)
    return str(await conn.execute(query, *params))
