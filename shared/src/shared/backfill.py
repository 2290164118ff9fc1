"""Backfill: a consumer that starts late (a service added later, a projection added to a service, a table
to rebuild) asks the producer to re-publish the current full state of every aggregate of a type.

- The consumer's side: `python -m <service> backfill request --from <producer> --aggregate <type>` writes
  the producer's command (`<producer>.backfill.requested.v1`, shared.events.backfill) to the service's
  outbox; its relay publishes it like any event.
- The producer's side: a service that declares `republishers` in its `ServiceDefinition` subscribes to
  its own command (so `migrate` binds its queue to it) and answers by writing the current state of every
  aggregate of the type to its outbox, as the ordinary full-state events with their current revisions,
  in the command's transaction (so a command retried after a failure never answers twice).
  `python -m <producer> republish <type>` does the same at an operator's hand.
- Every consumer of the type receives the re-published events, not only the one that asked: their
  projections' revision guards make that harmless (a revision already held changes nothing).
- A backfill brings states, not removals: an aggregate the producer deleted outright is not re-sent.
"""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from pydantic import ValidationError

from shared.bus import Outbox, Subscription
from shared.events import (
    BY_ROUTING_KEY,
    EVENT_TYPES,
    BackfillRequested,
    Envelope,
    EventPayload,
    make_envelope,
)
from shared.logging import get_logger

log = get_logger(__name__)
CHUNK = 500  # rows fetched, and events written to the outbox, per round trip


@dataclass(frozen=True)
class Republisher:
    """The current state of every aggregate of one type, as its full-state `event`.

    `query` selects one row per aggregate, its columns named as the event's fields. It reads every
    authority's rows on purpose (a backfill is the system's own work, never a caller's request), so it has
    no scope filter. `aggregate_id` names the field that is the envelope's aggregate id.

    `build`, when given, makes the events of a chunk of the query's rows instead (in the same order): a
    producer whose handlers build the event from several stores (a claim with its items) reuses their
    builder, so a re-published state is the very event its handler published, not a second rendering."""

    event: type[EventPayload]
    query: str
    aggregate_id: str
    authority_id: str = "authority_id"
    build: Callable[[asyncpg.Connection, list[asyncpg.Record]], Awaitable[list[EventPayload]]] | None = None

    async def events(self, conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[EventPayload]:
        if self.build is not None:
            return await self.build(conn, rows)
        return [self.event.model_validate(dict(row)) for row in rows]

    @property
    def aggregate(self) -> str:
        return self.event.aggregate


def command_type(producer: str) -> type[BackfillRequested]:
    """The backfill command of `producer`; ValueError naming the producers that offer one."""
    found = BY_ROUTING_KEY.get(f"{producer}.{BackfillRequested.aggregate}.{BackfillRequested.event}.v1")
    if found is None or not issubclass(found, BackfillRequested):
        offering = ", ".join(sorted(e.producer for e in EVENT_TYPES if issubclass(e, BackfillRequested)))
        raise ValueError(f"{producer} offers no backfill (producers that do: {offering or 'none'})")
    return found


def offered(command: type[BackfillRequested]) -> tuple[str, ...]:
    """The aggregate types the command's producer re-publishes (its `aggregate_type` values)."""
    return typing.get_args(command.model_fields["aggregate_type"].annotation)


async def republish(
    conn: asyncpg.Connection,
    outbox: Outbox,
    republisher: Republisher,
    *,
    correlation_id: str | None = None,
    chunk: int = CHUNK,
) -> int:
    """Write the current state of every aggregate of the type to the outbox, in the caller's transaction
    (the cursor needs one), `chunk` rows at a time; return how many."""
    count = 0
    rows: list[asyncpg.Record] = []
    async for row in conn.cursor(republisher.query, prefetch=chunk):
        rows.append(row)
        if len(rows) == chunk:
            count += await _write(conn, outbox, republisher, rows, correlation_id)
    return count + await _write(conn, outbox, republisher, rows, correlation_id)


async def _write(
    conn: asyncpg.Connection,
    outbox: Outbox,
    republisher: Republisher,
    rows: list[asyncpg.Record],
    correlation_id: str | None,
) -> int:
    if not rows:
        return 0
    batch: list[Envelope] = []
    for event in await republisher.events(conn, rows):
        batch.append(
            make_envelope(
                event,
                aggregate_id=getattr(event, republisher.aggregate_id),
                authority_id=getattr(event, republisher.authority_id, None),
                correlation_id=correlation_id,
            )
        )
    rows.clear()
    await outbox.add_many(conn, batch)
    return len(batch)


def find_republisher(service: str, republishers: Sequence[Republisher], aggregate: str) -> Republisher:
    for republisher in republishers:
        if republisher.aggregate == aggregate:
            return republisher
    kinds = ", ".join(sorted(r.aggregate for r in republishers)) or "nothing"
    raise ValueError(f"{service} re-publishes {kinds}, not {aggregate!r}")


def backfill_subscription(producer: str, republishers: Sequence[Republisher]) -> Subscription:
    """The producer's answer to its backfill command. The command's offered types and the republishers
    must match: a mismatch is refused here, when the service is declared, not when a request arrives."""
    command = command_type(producer)
    kinds = {r.aggregate for r in republishers}
    strangers = sorted(r.event.__name__ for r in republishers if r.event.producer != producer)
    if strangers:
        raise ValueError(f"{producer} cannot re-publish events of another producer: {', '.join(strangers)}")
    if kinds != set(offered(command)) or len(kinds) != len(republishers):
        raise ValueError(
            f"{command.__name__} offers {sorted(offered(command))} but {producer} declares republishers"
            f" for {sorted(r.aggregate for r in republishers)}: one republisher per offered type"
        )
    outbox = Outbox(producer)

    async def answer(conn: asyncpg.Connection, envelope: Envelope, request: Any) -> None:
        republisher = find_republisher(producer, republishers, request.aggregate_type)
        count = await republish(conn, outbox, republisher, correlation_id=str(envelope.event_id))
        log.info(
            "backfill_republished",
            aggregate=request.aggregate_type,
            requested_by=request.requested_by,
            events=count,
        )

    return Subscription(command, answer)


def backfill_request(
    service: str, subscriptions: Sequence[Subscription], *, producer: str, aggregate: str
) -> Envelope:
    """The command asking `producer` for every `aggregate`, on behalf of `service`, which must keep some
    of it (a typo would make every consumer of another type receive it all for nothing). ValueError
    naming what is wrong."""
    command = command_type(producer)
    theirs = [s.payload_type for s in subscriptions if s.payload_type.producer == producer]
    if not any(t.aggregate == aggregate for t in theirs):
        kept = sorted({t.routing_key() for t in theirs})
        raise ValueError(
            f"{service} keeps nothing of {producer}'s {aggregate!r}: it takes {', '.join(kept) or 'nothing'}"
            f" from {producer}"
        )
    try:
        payload = command(aggregate_type=aggregate, requested_by=service, requested_at=datetime.now(UTC))
    except ValidationError as exc:
        raise ValueError(f"{producer} re-publishes {', '.join(offered(command))}, not {aggregate!r}") from exc
    return make_envelope(payload, aggregate_id=aggregate, authority_id=None)


async def request_backfill(pool: asyncpg.Pool, outbox: Outbox, envelope: Envelope) -> None:
    """Write the command to the asking service's outbox (its relay publishes it)."""
    async with pool.acquire() as conn, conn.transaction():
        await outbox.add(conn, envelope)


# Which of the named tables are empty (each service's own store function: only its table names reach SQL).
EmptyTables = Callable[..., Awaitable[list[str]]]


async def ask_for_empty_tables(
    pool: asyncpg.Pool,
    outbox: Outbox,
    service: str,
    subscriptions: Sequence[Subscription],
    backfilled: Mapping[str, Sequence[tuple[str, str]]],
    empty_tables: EmptyTables,
) -> None:
    """At a worker's start: for each table of `backfilled` that is empty, ask its producers to re-publish
    what fills it ({table: ((producer, aggregate type), ...)}; one request per pair, written to the
    service's outbox, which its relay publishes). A worker task: it asks once and ends."""
    async with pool.acquire() as conn:
        empty = await empty_tables(conn, tables=sorted(backfilled))
    for table in empty:
        for producer, aggregate in backfilled[table]:
            envelope = backfill_request(service, subscriptions, producer=producer, aggregate=aggregate)
            await request_backfill(pool, outbox, envelope)
            log.info("backfill_requested", producer=producer, aggregate=aggregate, table=table)
