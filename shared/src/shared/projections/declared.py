"""A declared projection: another service's full-state event kept in a table of the consuming service.

The service says what it keeps (the event, its table, the key column(s), the revision column, and which
payload field fills which column) and the kit builds the rest:

- the upsert, guarded by the revision (`ON CONFLICT (key) DO UPDATE ... WHERE existing.revision <
  EXCLUDED.revision`): an older state after a newer one, or the same state twice, changes nothing.
  Events do arrive out of order (a retried event comes back after newer ones) and twice (redeliveries,
  a backfill), so this guard is what makes applying them safe;
- the batch apply (`executemany`, which asyncpg pipelines: one round trip for a consumer's batch);
- deletes, kept as tombstones (see `Deletes`);
- the `Subscription`s that hand the events to it.

The table belongs to the consuming service and is created by that service's own migration. Every name
in the SQL comes from code and is checked as an identifier; payload values only ever travel as parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NoReturn

import asyncpg

from shared.bus import Subscription
from shared.db import ident
from shared.events import Envelope, EventPayload


@dataclass(frozen=True)
class Deletes:
    """How the projection learns that an aggregate is gone.

    The row is not removed but kept as a tombstone: `column` (a boolean of the table) set to true and the
    revision of the removal kept, so a late older state is refused by the revision guard instead of
    bringing the row back. A newer full state brings it back (`column` false again). Reads leave
    tombstones out with `Projection.live`.

    - `flag`: a boolean field of the full-state event, true once the aggregate is gone (a tombstone flag);
    - `event`: an event of its own carrying the key fields and the revision field under the same names as
      the full-state event. When the consumer never saw the aggregate, a tombstone row with only the key,
      the revision and `column` is inserted, so the table's other columns must allow NULL (or have
      defaults)."""

    column: str = "deleted"
    flag: str | None = None
    event: type[EventPayload] | None = None


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: its subscriptions hold its methods
class Projection:
    """`columns` maps each column of `schema.table` to the payload field that fills it; the key columns
    and the revision column are among them. Declaring it checks it: a bad declaration fails at import,
    with a ValueError naming what is wrong, not at the first event."""

    event: type[EventPayload]
    schema: str
    table: str
    key: tuple[str, ...]
    columns: Mapping[str, str]
    revision: str = "revision"
    deletes: Deletes | None = None

    def __post_init__(self) -> None:
        _check(self)

    @classmethod
    def mirror(
        cls, event: type[EventPayload], schema: str, table: str, *, key: str, columns: Sequence[str]
    ) -> Projection:
        """The usual projection: one key column, and each column filled by the payload field of its own
        name (the key column first, whether `columns` names it or not)."""
        return cls(
            event=event,
            schema=schema,
            table=table,
            key=(key,),
            columns={c: c for c in (key, *(c for c in columns if c != key))},
        )

    # --- the SQL ---------------------------------------------------------------------------------

    @cached_property
    def qualified_table(self) -> str:
        return f"{ident(self.schema)}.{ident(self.table)}"

    @property
    def live(self) -> str:
        """A WHERE condition that leaves tombstones out ("TRUE" when the projection has no deletes)."""
        return "TRUE" if self.deletes is None else f"NOT {ident(self.deletes.column)}"

    @cached_property
    def upsert_sql(self) -> str:
        """One row of the full state; its parameters are `upsert_values(event)`."""
        columns = list(self.columns) + ([self.deletes.column] if self.deletes else [])
        return _guarded_upsert(self, columns, [c for c in columns if c not in self.key])

    @cached_property
    def tombstone_sql(self) -> str:
        """One tombstone from a delete event; its parameters are `tombstone_values(event)`."""
        if self.deletes is None or self.deletes.event is None:
            raise ValueError(f"{self.qualified_table}: the projection declares no delete event")
        columns = [*self.key, self.revision, self.deletes.column]
        return _guarded_upsert(self, columns, [self.revision, self.deletes.column])

    def upsert_values(self, event: EventPayload) -> tuple[Any, ...]:
        values = [getattr(event, f) for f in self.columns.values()]
        if self.deletes is not None:
            values.append(bool(getattr(event, self.deletes.flag)) if self.deletes.flag else False)
        return tuple(values)

    def tombstone_values(self, event: EventPayload) -> tuple[Any, ...]:
        return (
            *(getattr(event, self.columns[k]) for k in self.key),
            getattr(event, self._revision_field),
            True,
        )

    @property
    def _revision_field(self) -> str:
        return self.columns[self.revision]

    # --- applying events -------------------------------------------------------------------------

    async def apply(self, conn: asyncpg.Connection, envelope: Envelope, event: EventPayload) -> None:
        """One event (full state or delete), in the caller's transaction."""
        sql, values = self._statement(event)
        await conn.execute(sql, *values)

    async def apply_many(
        self, conn: asyncpg.Connection, events: Sequence[tuple[Envelope, EventPayload]]
    ) -> None:
        """Several events in one round trip per kind (asyncpg pipelines executemany), each as `apply`.
        The guard makes the result the same in any order, so full states and deletes may go apart."""
        by_sql: dict[str, list[tuple[Any, ...]]] = {}
        for _, event in events:
            sql, values = self._statement(event)
            by_sql.setdefault(sql, []).append(values)
        for sql, rows in by_sql.items():
            await conn.executemany(sql, rows)

    def subscriptions(self) -> list[Subscription]:
        """What the service's consumer needs: the full-state event, and the delete event if declared."""
        found = [Subscription(self.event, self.apply, self.apply_many)]
        if self.deletes is not None and self.deletes.event is not None:
            found.append(Subscription(self.deletes.event, self.apply, self.apply_many))
        return found

    def _statement(self, event: EventPayload) -> tuple[str, tuple[Any, ...]]:
        if isinstance(event, self.event):
            return self.upsert_sql, self.upsert_values(event)
        if (
            self.deletes is not None
            and self.deletes.event is not None
            and isinstance(event, self.deletes.event)
        ):
            return self.tombstone_sql, self.tombstone_values(event)
        raise TypeError(f"{self.qualified_table} does not project {type(event).__name__}")


def _guarded_upsert(p: Projection, columns: list[str], updated: list[str]) -> str:
    names = ", ".join(ident(c) for c in columns)
    params = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    sets = ", ".join(f"{ident(c)} = EXCLUDED.{ident(c)}" for c in updated)
    key = ", ".join(ident(c) for c in p.key)
    revision = ident(p.revision)
    return (
        f"INSERT INTO {p.qualified_table} AS existing ({names}) VALUES ({params})"
        f" ON CONFLICT ({key}) DO UPDATE SET {sets}"
        f" WHERE existing.{revision} < EXCLUDED.{revision}"
    )


def _check(p: Projection) -> None:
    """Every declared name exists and is a safe identifier; ValueError naming the first that is not."""
    where = f"projection of {p.event.__name__} into {p.schema}.{p.table}"

    def fail(problem: str) -> NoReturn:
        raise ValueError(f"{where}: {problem}")

    for name in (p.schema, p.table, *p.columns):
        try:
            ident(name)
        except ValueError:
            fail(f"{name!r} is not a safe SQL identifier (lower case, digits, underscores)")
    fields = p.event.model_fields
    for column, payload_field in p.columns.items():
        if payload_field not in fields:
            fail(f"column {column!r} takes {payload_field!r}, which {p.event.__name__} does not have")
    if not p.key:
        fail("no key column")
    for column in (*p.key, p.revision):
        if column not in p.columns:
            fail(f"key or revision column {column!r} is not among the columns")
    if p.revision in p.key:
        fail(f"the revision column {p.revision!r} cannot be part of the key")
    if p.deletes is not None:
        _check_deletes(p, p.deletes, fail)


def _check_deletes(p: Projection, deletes: Deletes, fail: Callable[[str], NoReturn]) -> None:
    try:
        ident(deletes.column)
    except ValueError:
        fail(f"{deletes.column!r} is not a safe SQL identifier")
    if deletes.column in p.columns:
        fail(f"the tombstone column {deletes.column!r} is the kit's: leave it out of the columns")
    if deletes.flag is None and deletes.event is None:
        fail("deletes need a tombstone flag or a delete event")
    if deletes.flag is not None:
        found = p.event.model_fields.get(deletes.flag)
        if found is None or found.annotation is not bool:
            fail(f"the tombstone flag {deletes.flag!r} is not a boolean field of {p.event.__name__}")
    if deletes.event is not None:
        needed = [p.columns[c] for c in (*p.key, p.revision)]
        missing = [f for f in needed if f not in deletes.event.model_fields]
        if missing:
            fail(f"the delete event {deletes.event.__name__} lacks {', '.join(missing)}")
