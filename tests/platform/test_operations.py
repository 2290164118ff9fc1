"""An operator's tools: dead letters listed and redriven (command and council API), the outbox replayed,
the inbox pruned after its retention. Consumers are idempotent, so a replay applies nothing twice."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from actuals.config import Settings as ActualsSettings
from actuals.main import DEFINITION as ACTUALS
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.bus.retention import prune_inbox
from shared.operations import operation_command
from shared.service import Runtime, close_runtime, create_api, open_runtime, run_migrations, run_worker
from tests.support.inprocess import eventually, serve
from tests.support.scratch import Scratch, organisation, scratch, scratch_worker

FAST = {"consumer_retry_delays": [0.1]}  # two attempts, then the dead-letter queue


class Switch:
    """A handler that fails while `broken` is set."""

    def __init__(self, s: Scratch) -> None:
        self.s = s
        self.broken = True

    async def __call__(self, conn, envelope, event) -> None:
        if self.broken:
            raise RuntimeError("downstream rule not deployed yet")
        await self.s.record(conn, envelope, event)


async def _settings(env, s: Scratch, handler):
    definition = scratch_worker(s, handler)
    settings = env.settings(definition, database_url=env.dsn("actuals"), events_exchange=s.exchange, **FAST)
    await run_migrations(definition, settings)
    return definition, settings


async def _run(runtime: Runtime, *words: str, capsys) -> list[dict]:
    await operation_command(runtime.definition, list(words))(runtime, asyncio.Event())
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


async def test_dead_letters_are_listed_and_redriven_by_the_command_then_applied_once(env, capsys):
    handler_state: dict[str, Switch] = {}
    async with scratch(env) as s:
        handler = handler_state.setdefault("h", Switch(s))
        definition, settings = await _settings(env, s, handler)
        first, second = organisation("first"), organisation("second")
        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(definition, settings, stop=stop))
        runtime = await open_runtime(definition, settings)
        try:
            await s.write(first)
            await s.write(second)
            await eventually(lambda: s.settled(dead_letters=2), timeout=30)

            listed = await _run(runtime, "dead-letters", "list", capsys=capsys)
            assert sorted(d["event_id"] for d in listed) == sorted(
                [str(first.event_id), str(second.event_id)]
            )
            assert {d["reason"] for d in listed} == {
                "failed 2 attempts: RuntimeError('downstream rule not deployed yet')"
            }
            assert {d["routing_key"] for d in listed} == {"identity.organisation.upserted.v1"}
            # Listing reads the messages without acking them; they are back once its channel has closed.
            await eventually(
                lambda: _ready(s, s.dead_letter_queue, 2), timeout=30
            )  # listing took nothing away

            handler.broken = False
            moved = await _run(
                runtime, "dead-letters", "redrive", "--event-id", str(first.event_id), capsys=capsys
            )
            assert moved == [{"redriven": str(first.event_id)}]
            await eventually(lambda: _applied(s, 1), timeout=30)
            assert await s.ready(s.dead_letter_queue) == 1, "only the one asked for was redriven"
            await _run(runtime, "dead-letters", "redrive", capsys=capsys)
            await eventually(lambda: s.settled(dead_letters=0), timeout=30)
        finally:
            await close_runtime(runtime)
            stop.set()
            await worker
        assert sorted(await s.applied_ids()) == sorted([first.event_id, second.event_id])


async def test_outbox_replay_republishes_since_a_time_and_nothing_is_applied_twice(env, capsys):
    async with scratch(env) as s:
        definition, settings = await _settings(env, s, s.record)
        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(definition, settings, stop=stop))
        runtime = await open_runtime(definition, settings)
        try:
            before = organisation("before")
            await s.write(before)
            await eventually(lambda: _applied(s, 1), timeout=30)
            since = datetime.now(UTC)
            after = organisation("after")
            await s.write(after)
            await eventually(lambda: _applied(s, 2), timeout=30)

            result = await _run(runtime, "outbox", "replay", "--since", since.isoformat(), capsys=capsys)
            assert result == [{"replayed": 1, "since": since.isoformat()}]
            await eventually(lambda: _published(s), timeout=30)
            await eventually(s.settled, timeout=30)
        finally:
            await close_runtime(runtime)
            stop.set()
            await worker
        assert sorted(await s.applied_ids()) == sorted([before.event_id, after.event_id])


def test_operation_words_are_checked_with_a_message_naming_the_bad_one(capsys):
    with pytest.raises(SystemExit):
        operation_command(ACTUALS, ["outbox", "replay", "--since", "yesterday"])
    assert "not an ISO 8601 time: 'yesterday'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        operation_command(ACTUALS, ["outbox", "replay", "--since", "2026-11-01T00:00:00"])
    assert "UTC offset" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        operation_command(ACTUALS, ["dead-letters", "purge"])
    assert "invalid choice: 'purge'" in capsys.readouterr().err


async def test_council_operator_api_lists_and_redrives_dead_letters_and_refuses_anyone_else(env):
    async with scratch(env) as s:
        handler = Switch(s)
        definition, settings = await _settings(env, s, handler)
        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(definition, settings, stop=stop))
        event = organisation("api")
        base = f"/council/v1/{s.name}/operations/dead-letters"
        try:
            await s.write(event)
            await eventually(lambda: s.settled(dead_letters=1), timeout=30)
            async with serve(create_api(definition, settings)) as client:
                authority = uuid.uuid4()
                for token in (
                    env.council_token(authority),
                    env.token(authority_id=authority, organisation_id=uuid.uuid4()),
                ):
                    refused = await client.get(base, headers=_bearer(token))
                    assert refused.status_code == 403
                    assert refused.headers["content-type"] == "application/problem+json"
                    assert "operator" in refused.json()["detail"]
                operator = _bearer(_operator_token(env, authority))
                listed = await client.get(base, headers=operator)
                assert listed.status_code == 200
                assert [d["event_id"] for d in listed.json()] == [str(event.event_id)]

                bad = await client.post(
                    f"{base}/redrive", headers=operator, json={"event_ids": ["not-a-uuid"]}
                )
                assert bad.status_code == 422
                assert [e["field"] for e in bad.json()["errors"]] == ["event_ids.0"]

                handler.broken = False
                moved = await client.post(f"{base}/redrive", headers=operator, json={})
                assert moved.status_code == 200
                assert moved.json() == {"redriven": [str(event.event_id)]}
            await eventually(lambda: _applied(s, 1), timeout=30)
        finally:
            stop.set()
            await worker


async def test_inbox_rows_older_than_the_retention_are_pruned(env):
    async with scratch(env) as s:
        old, recent, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        for event_id, consumer, age in ((old, s.name, 31), (recent, s.name, 1), (other, "someone-else", 31)):
            await s.pool.execute(
                f"INSERT INTO {s.schema}.inbox (consumer, event_id, routing_key, processed_at)"
                " VALUES ($1, $2, 'k', clock_timestamp() - $3::interval)",
                consumer,
                event_id,
                timedelta(days=age),
            )
        pruned = await prune_inbox(
            pool=s.pool, schema=s.schema, consumer=s.name, retention=timedelta(days=30)
        )
        assert pruned == 1
        left = {r["event_id"] for r in await s.pool.fetch(f"SELECT event_id FROM {s.schema}.inbox")}
        assert left == {recent, other}


def test_inbox_retention_shorter_than_the_outbox_retention_is_refused():
    with pytest.raises(ValidationError, match="inbox_retention_days must be at least outbox_retention_days"):
        ActualsSettings(environment="test", outbox_retention_days=7, inbox_retention_days=3)


async def _ready(s, queue: str, n: int) -> bool:
    return await s.ready(queue) == n


def _operator_token(env, authority: uuid.UUID) -> str:
    principal = Principal(
        subject="ops-1",
        kind=PrincipalKind.council_client,
        authority_id=authority,
        organisation_id=None,
        role=Role.council,
        can_edit=True,
        scope_type=ScopeType.authority,
        scope_id=None,
        operator=True,
    )
    return env.signing_key.sign(
        principal, issuer="portal-identity", audience="portal-services", ttl_seconds=300
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _applied(s: Scratch, n: int) -> bool:
    return await s.applied_count() == n


async def _published(s: Scratch) -> bool:
    return await s.unpublished() == 0


pytestmark = pytest.mark.timeout(90)
