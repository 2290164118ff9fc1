"""The unit of work writes rows, events and audit entries together or not at all, and logs only what
was committed; the scoped store helpers filter by the caller's authority and organisation."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs

from shared import db
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.bus import Outbox
from shared.events import OrganisationUpserted
from shared.records import Record
from shared.store import AuthorityScope, Scope, Unscoped, execute, fetch, fetch_one, fetch_value
from shared.uow import Actor, Work


def organisation_event(organisation_id: uuid.UUID, authority_id: uuid.UUID) -> OrganisationUpserted:
    return OrganisationUpserted(
        organisation_id=organisation_id,
        authority_id=authority_id,
        name="Purple Care",
        reference="P000148",
        active=True,
        revision=1,
        updated_at=datetime.now(UTC),
    )


@pytest.fixture
async def work(env):
    pool = await db.create_pool(env.dsn("claims"))
    try:
        yield Work(pool, Outbox("claims"))
    finally:
        await pool.close()


ACTOR = Actor(kind="user", id="u-1", address="203.0.113.9", request_id="req-uow-1")


async def counts(work: Work, authority_id: uuid.UUID, event_ids: list[uuid.UUID]) -> tuple[int, int]:
    async with work.read() as conn:
        audits = await conn.fetchval(
            "SELECT count(*) FROM claims.audit_event WHERE authority_id = $1", authority_id
        )
        events = await conn.fetchval("SELECT count(*) FROM claims.outbox WHERE event_id = ANY($1)", event_ids)
    return audits, events


async def test_a_committed_unit_writes_its_event_and_its_audit_entry_and_then_logs(work):
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    with capture_logs() as logged:
        async with work.begin(ACTOR) as uow:
            event_id = await uow.publish(
                organisation_event(organisation_id, authority_id),
                aggregate_id=organisation_id,
                authority_id=authority_id,
            )
            await uow.audit(
                "claim_submitted",
                authority_id=authority_id,
                subject_id=organisation_id,
                lines=[organisation_id],
            )
            uow.log("claim_submitted_for_test", claim=str(organisation_id))
            assert logged == []  # not before the commit
    assert [(e["event"], e["request_id"]) for e in logged] == [("claim_submitted_for_test", "req-uow-1")]
    assert await counts(work, authority_id, [event_id]) == (1, 1)
    async with work.read() as conn:
        entry = await conn.fetchrow("SELECT * FROM claims.audit_event WHERE authority_id = $1", authority_id)
        envelope = await conn.fetchval("SELECT body FROM claims.outbox WHERE event_id = $1", event_id)
    assert (entry["actor_kind"], entry["actor_id"], entry["client_address"], entry["request_id"]) == (
        "user",
        "u-1",
        "203.0.113.9",
        "req-uow-1",
    )
    assert entry["subject_id"] == organisation_id and entry["detail"] == {"lines": [str(organisation_id)]}
    assert b'"correlation_id":"req-uow-1"' in bytes(envelope)


async def test_an_exception_leaves_no_row_no_event_no_audit_and_no_log(work):
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    published = []
    with capture_logs() as logged, pytest.raises(RuntimeError, match="refused half-way"):
        async with work.begin(ACTOR) as uow:
            published.append(
                await uow.publish(
                    organisation_event(organisation_id, authority_id),
                    aggregate_id=organisation_id,
                    authority_id=authority_id,
                )
            )
            await uow.audit("claim_submitted", authority_id=authority_id)
            uow.log("rolled_back_for_test")
            raise RuntimeError("refused half-way")
    assert await counts(work, authority_id, published) == (0, 0)
    assert logged == []


async def test_within_a_held_transaction_rolls_back_only_its_own_part(work):
    authority_id = uuid.uuid4()
    async with work.pool.acquire() as conn, conn.transaction():
        async with work.within(conn, Actor.system("consumer")) as uow:
            await uow.audit("kept", authority_id=authority_id)
        with pytest.raises(ValueError):
            async with work.within(conn, Actor.system("consumer")) as uow:
                await uow.audit("dropped", authority_id=authority_id)
                raise ValueError
    async with work.read() as conn:
        actions = await conn.fetch(
            "SELECT action, actor_kind FROM claims.audit_event WHERE authority_id = $1", authority_id
        )
    assert [(r["action"], r["actor_kind"]) for r in actions] == [("kept", "system")]


async def test_a_consumers_work_has_no_pool_and_works_within_the_consumers_connection(work):
    consumer = Work(None, Outbox("claims"))  # a consumer's handler is given a connection, not a pool
    authority_id = uuid.uuid4()
    async with (
        work.pool.acquire() as conn,
        conn.transaction(),
        consumer.within(conn, Actor.system("consumer")) as uow,
    ):
        await uow.audit("applied", authority_id=authority_id)
    async with work.read() as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM claims.audit_event WHERE authority_id = $1 AND action = 'applied'",
                authority_id,
            )
            == 1
        )
    with pytest.raises(RuntimeError, match="no pool"):
        async with consumer.begin(ACTOR):
            pass


class Entry(Record):
    audit_id: int
    action: str
    organisation_id: uuid.UUID | None


def provider(authority_id: uuid.UUID, organisation_id: uuid.UUID) -> Principal:
    return Principal(
        subject="p",
        kind=PrincipalKind.user,
        authority_id=authority_id,
        organisation_id=organisation_id,
        role=Role.full,
        can_edit=True,
        scope_type=ScopeType.organisation,
        scope_id=None,
    )


async def test_scoped_queries_see_only_the_callers_rows_and_records_are_frozen(work):
    authority_id, mine, theirs = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with work.begin(ACTOR) as uow:
        await uow.audit("mine", authority_id=authority_id, organisation_id=mine)
        await uow.audit("theirs", authority_id=authority_id, organisation_id=theirs)
        await uow.audit("other authority", authority_id=uuid.uuid4(), organisation_id=mine)
    scope = Scope.of(provider(authority_id, mine))
    async with work.read() as conn:
        rows = await fetch(
            conn, Entry, "SELECT * FROM claims.audit_event WHERE {scope} AND action <> $1", "x", scope=scope
        )
        assert [r.action for r in rows] == ["mine"]
        with pytest.raises(Exception, match="frozen"):
            rows[0].action = "changed"  # type: ignore[misc]
        everyone = await fetch_value(
            conn, "SELECT count(*) FROM claims.audit_event WHERE {scope}", scope=AuthorityScope(authority_id)
        )
        assert everyone == 2
        theirs_by_id = await fetch_one(
            conn,
            Entry,
            "SELECT * FROM claims.audit_event WHERE {scope} AND action = $1",
            "theirs",
            scope=scope,
        )
        assert theirs_by_id is None  # an id of another organisation is not found, not refused
        status = await execute(
            conn, "DELETE FROM claims.audit_event WHERE {scope} AND action = 'theirs'", scope=scope
        )
        assert status == "DELETE 0"
        total = await fetch_value(
            conn,
            "SELECT count(*) FROM claims.audit_event WHERE authority_id = $1",
            authority_id,
            scope=Unscoped("test"),
        )
        assert total == 2


async def test_many_events_in_one_round_trip_go_out_with_the_unit_or_not_at_all(work):
    authority_id = uuid.uuid4()
    organisations = [uuid.uuid4() for _ in range(3)]
    events = [(organisation_event(o, authority_id), o, authority_id) for o in organisations]
    async with work.begin(ACTOR) as uow:
        await uow.publish_many(events)
        await uow.publish_many([])  # nothing to publish is no call at all
        published = list(uow.published)
    assert len(published) == 3
    async with work.read() as conn:
        rows = await conn.fetch(
            "SELECT event_id, body FROM claims.outbox WHERE event_id = ANY($1) ORDER BY id", published
        )
    assert [r["event_id"] for r in rows] == published
    bodies = [json.loads(r["body"]) for r in rows]
    assert [b["aggregate_id"] for b in bodies] == [str(o) for o in organisations]
    assert {b["correlation_id"] for b in bodies} == {"req-uow-1"}
    with pytest.raises(RuntimeError):
        async with work.begin(ACTOR) as uow:
            await uow.publish_many(events)
            rolled_back = list(uow.published)
            raise RuntimeError("the unit fails after publishing")
    assert await counts(work, authority_id, rolled_back) == (0, 0)
