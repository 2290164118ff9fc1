"""The unit of work: one business transaction that carries the outbox, the audit log and the log context.

A handler opens one, does its reads and writes through `uow.conn` (with the store functions), and says
what happened with `uow.publish(event, ...)` and `uow.audit(...)`; nothing else. Either everything is
written (rows, events, audit entries) or, on any exception, nothing is. The lines given to `uow.log`
are written only after the commit, so the log never tells of a change that was rolled back.

    async with work.begin(actor) as uow:
        claim = await store.add_claim(uow.conn, ...)
        await uow.publish(ClaimUpserted(...), aggregate_id=claim.claim_id, authority_id=claim.authority_id)
        await uow.audit("claim_submitted", authority_id=claim.authority_id, subject_id=claim.claim_id)
        uow.log("claim_submitted", claim_id=str(claim.claim_id))
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from shared.auth import Principal
from shared.bus import Outbox
from shared.db import ident
from shared.events import EventPayload, make_envelope
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who acts and from where: for the audit log, the events' correlation and the log lines."""

    kind: str = "anonymous"  # anonymous, user, api_key, council_client, system
    id: str | None = None
    address: str | None = None
    request_id: str | None = None

    @classmethod
    def of(cls, principal: Principal, *, address: str | None, request_id: str | None) -> Actor:
        return cls(kind=principal.kind.value, id=principal.subject, address=address, request_id=request_id)

    @classmethod
    def system(cls, name: str, *, correlation_id: str | None = None) -> Actor:
        """A consumer or a job of the service itself (e.g. "consumer", "relay", "migrate")."""
        return cls(kind="system", id=name, request_id=correlation_id)


@dataclass
class UnitOfWork:
    conn: asyncpg.Connection
    actor: Actor
    _outbox: Outbox
    _audit_sql: str
    _after_commit: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    published: list[uuid.UUID] = field(default_factory=list)

    async def publish(
        self, event: EventPayload, *, aggregate_id: uuid.UUID | str, authority_id: uuid.UUID | None
    ) -> uuid.UUID:
        """The event goes out if, and only if, this unit commits (the transactional outbox)."""
        envelope = make_envelope(
            event, aggregate_id=aggregate_id, authority_id=authority_id, correlation_id=self.actor.request_id
        )
        await self._outbox.add(self.conn, envelope)
        self.published.append(envelope.event_id)
        return envelope.event_id

    async def publish_many(
        self, events: Sequence[tuple[EventPayload, uuid.UUID | str, uuid.UUID | None]]
    ) -> None:
        """Several events, each `(event, aggregate_id, authority_id)` as `publish`, in one round trip (a
        bulk upsert of thousands of rows publishes one event per changed row)."""
        envelopes = [
            make_envelope(
                event,
                aggregate_id=aggregate_id,
                authority_id=authority_id,
                correlation_id=self.actor.request_id,
            )
            for event, aggregate_id, authority_id in events
        ]
        if envelopes:
            await self._outbox.add_many(self.conn, envelopes)
        self.published.extend(e.event_id for e in envelopes)

    async def audit(
        self,
        action: str,
        *,
        authority_id: uuid.UUID,
        outcome: str = "success",
        subject_id: uuid.UUID | None = None,
        organisation_id: uuid.UUID | None = None,
        **detail: Any,
    ) -> None:
        """One audit entry by the actor. `detail` takes ids, reasons and counts only: never a secret."""
        await self.conn.execute(
            self._audit_sql,
            authority_id,
            action,
            outcome,
            self.actor.kind,
            self.actor.id,
            subject_id,
            organisation_id,
            self.actor.address,
            self.actor.request_id,
            {k: _plain(v) for k, v in detail.items()},
        )

    def log(self, event: str, **fields: Any) -> None:
        """A log line written after the commit (dropped with a rollback)."""
        self._after_commit.append((event, fields))


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


class Work:
    """Where a service's units of work come from: its pool, outbox and schema, chosen once at start-up.

    A consumer's handler is given a connection, not a pool: its Work has no pool (`Work(None, outbox)`),
    and its units are only ever `within` the connection the consumer holds."""

    def __init__(self, pool: asyncpg.Pool | None, outbox: Outbox) -> None:
        self._pool = pool
        self.outbox = outbox
        self._audit_sql = (
            f"INSERT INTO {ident(outbox.schema)}.audit_event (authority_id, action, outcome, actor_kind,"
            " actor_id, subject_id, organisation_id, client_address, request_id, detail)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(
                "a consumer's Work has no pool: its units are `within` the consumer's connection"
            )
        return self._pool

    @asynccontextmanager
    async def begin(self, actor: Actor) -> AsyncIterator[UnitOfWork]:
        """One transaction; commits when the block ends, rolls everything back when it raises."""
        async with self.pool.acquire() as conn:
            uow = await self._enter(conn, actor)
            async with conn.transaction():
                yield uow
        self._flush(uow)

    @asynccontextmanager
    async def within(self, conn: asyncpg.Connection, actor: Actor) -> AsyncIterator[UnitOfWork]:
        """A unit on a connection the caller holds (a consumer's, already in its transaction)."""
        uow = await self._enter(conn, actor)
        async with conn.transaction():  # a savepoint when the caller's transaction is open
            yield uow
        self._flush(uow)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection for reads only (no transaction, no events, no audit)."""
        async with self.pool.acquire() as conn:
            yield conn

    async def _enter(self, conn: asyncpg.Connection, actor: Actor) -> UnitOfWork:
        return UnitOfWork(conn=conn, actor=actor, _outbox=self.outbox, _audit_sql=self._audit_sql)

    @staticmethod
    def _flush(uow: UnitOfWork) -> None:
        bound = log.bind(actor_kind=uow.actor.kind, actor_id=uow.actor.id, request_id=uow.actor.request_id)
        for event, fields in uow._after_commit:
            bound.info(event, **fields)


@dataclass(frozen=True)
class Caller:
    """What a handler is told of who calls: the verified principal (what they may see and do) and the
    actor (who they are and from where, for the audit and the log)."""

    principal: Principal
    actor: Actor
