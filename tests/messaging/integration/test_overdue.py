"""Actions that become overdue are published once (`messaging.action.upserted.v1`, change "overdue"):
not on their due date, once the day after, never again, and never once closed; the worker's task does
it on its own while it runs."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

from messaging.domain.clock import FixedClock
from messaging.handlers.overdue import publish_overdue
from messaging.main import DEFINITION as MESSAGING
from shared import db
from shared.bus import Outbox
from shared.service import close_runtime, open_runtime
from shared.uow import Work
from tests.messaging.support import (
    API,
    COUNCIL,
    add_tenant,
    bearer,
    configure,
    messaging_api,
    messaging_conn,
    new_action,
    published,
)
from tests.support.inprocess import eventually

DAY = date(2025, 6, 2)


def noon(day: date) -> FixedClock:
    return FixedClock(datetime(day.year, day.month, day.day, 12, tzinfo=UTC))


async def changes(env, action_id) -> list[str]:
    return [s["change"] for s in await published(env, "messaging.action.upserted.v1", action_id)]


async def test_an_action_past_its_due_date_is_published_once_as_overdue(env):
    authority_id = uuid.uuid4()
    async with messaging_conn(env) as conn:
        tenant = await add_tenant(conn, authority_id=authority_id, label="overdue")
    async with messaging_api(env, today=DAY) as api:
        config = await configure(api, env, authority_id)
        late = await new_action(
            api,
            tenant.headers(env),
            type_id=config["Foster Carer Query"]["type_id"],
            related_kind="provider",
            title="Late",
            text="x",
        )
        answered = await new_action(
            api,
            tenant.headers(env),
            type_id=config["Foster Carer Query"]["type_id"],
            related_kind="provider",
            title="Closed",
            text="x",
        )
        closed = await api.post(
            f"{COUNCIL}/actions/{answered['action_id']}/close",
            json={"reason": "Answered"},
            headers=bearer(env.council_token(authority_id)),
        )
        assert closed.status_code == 200
    due = date.fromisoformat(late["due_date"])
    pool = await db.create_pool(env.dsn("messaging"))
    try:
        work = Work(pool, Outbox("messaging"))
        await publish_overdue(work, noon(due))
        assert await changes(env, late["action_id"]) == ["opened"]  # due today: not yet
        assert await publish_overdue(work, noon(due + timedelta(days=1)), batch=1) >= 1
        assert await publish_overdue(work, noon(due + timedelta(days=2))) == 0  # nothing twice
    finally:
        await pool.close()
    states = await published(env, "messaging.action.upserted.v1", late["action_id"])
    assert [s["change"] for s in states] == ["opened", "overdue"]
    assert states[-1]["revision"] == 2 and states[-1]["last_post"]["kind"] == "opened"
    assert await changes(env, answered["action_id"]) == ["opened", "closed"]
    async with messaging_api(env, today=due + timedelta(days=1)) as api:
        row = (await api.get(f"{API}/actions/{late['action_id']}", headers=tenant.headers(env))).json()
        assert (row["light"], row["revision"]) == ("red", 2)


async def test_the_workers_task_publishes_newly_overdue_actions_while_it_runs(env):
    from messaging.consumers import watch_overdue

    authority_id = uuid.uuid4()
    async with messaging_conn(env) as conn:
        tenant = await add_tenant(conn, authority_id=authority_id, label="watch")
    async with messaging_api(env, today=DAY) as api:  # long past its due date by the real clock
        config = await configure(api, env, authority_id)
        late = await new_action(
            api,
            tenant.headers(env),
            type_id=config["CPLI Review"]["type_id"],
            related_kind="provider",
            title="Late",
            text="x",
        )
    runtime = await open_runtime(MESSAGING, env.settings(MESSAGING, overdue_sweep_seconds=0.2))
    stop = asyncio.Event()
    task = asyncio.create_task(watch_overdue(runtime, stop))
    try:
        await eventually(lambda: _overdue(env, late["action_id"]), timeout=20)
    finally:
        stop.set()
        await task
        await close_runtime(runtime)
    assert await changes(env, late["action_id"]) == ["opened", "overdue"]


async def _overdue(env, action_id) -> bool:
    return "overdue" in await changes(env, action_id)
