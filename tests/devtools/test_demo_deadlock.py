"""The demo seeder's projection writes survive a deadlock with a consumer applying the same rows in
another order (a real one, made in PostgreSQL): PostgreSQL aborts one side, the seeder applies again.
Found when `test_demo_payments` failed with DeadlockDetectedError in a full run, where the stacks'
workers consume the same events in the shared environment."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from devtools import demo_actuals
from shared import db


@pytest.fixture
async def rows(env):
    table = f"claims.deadlock_probe_{uuid.uuid4().hex[:8]}"  # a scratch table in a schema the role owns
    conn = await db.connect(env.dsn("claims"))
    await conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, n int NOT NULL)")
    await conn.execute(f"INSERT INTO {table} VALUES (1, 0), (2, 0)")
    try:
        yield conn, table
    finally:
        await conn.execute(f"DROP TABLE {table}")
        await conn.close()


async def test_a_deadlocked_seed_is_applied_again_and_both_writes_land(env, rows):
    conn, table = rows
    seeder = await db.connect(env.dsn("claims"))
    consumer = await db.connect(env.dsn("claims"))
    consumer_holds_1 = asyncio.Event()
    seeder_waits_on_1 = asyncio.Event()
    attempts = 0

    async def apply_many(target: asyncpg.Connection, batch: list[int]) -> None:
        nonlocal attempts
        attempts += 1
        for row_id in batch:  # 2, then 1 (the consumer holds 1 and then asks for 2)
            if row_id == 1 and attempts == 1:
                seeder_waits_on_1.set()
            await target.execute(f"UPDATE {table} SET n = n + 1 WHERE id = $1", row_id)

    async def consume() -> None:
        async with consumer.transaction():
            await consumer.execute(f"UPDATE {table} SET n = n + 10 WHERE id = 1")
            consumer_holds_1.set()
            await seeder_waits_on_1.wait()
            await asyncio.sleep(0.2)  # the seeder is now waiting for row 1
            await consumer.execute(f"UPDATE {table} SET n = n + 10 WHERE id = 2")

    try:
        consuming = asyncio.create_task(consume())
        await consumer_holds_1.wait()
        await demo_actuals.apply_retrying(seeder, apply_many, [2, 1])
        await consuming
    finally:
        await seeder.close()
        await consumer.close()
    # PostgreSQL aborted the seeder's first attempt (it waited first); the second found the rows free
    assert attempts == 2
    assert dict(await conn.fetch(f"SELECT id, n FROM {table} ORDER BY id")) == {1: 11, 2: 11}
