"""The dead letters of the render queue (reports.dead_letters): a render job given up on fails its run;
a message that is no render job is dropped, not kept forever; while the database is away, the job waits
for it instead of being lost."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import aio_pika

from reports.dead_letters import AbandonedRenders
from reports.domain.runs import RENDER_ABANDONED
from reports.main import DEFINITION as REPORTS
from reports.render import RENDER_QUEUE
from shared import db
from shared.events import OrganisationUpserted, ReportRunRequested, make_envelope
from shared.service import close_runtime, open_runtime
from tests.support.inprocess import eventually
from tests.support.reports import render_queue_counts
from tests.support.tcp_proxy import proxy_to

DEAD_LETTERS = f"{RENDER_QUEUE}.dlq"


@asynccontextmanager
async def abandoned_renders(env, **settings) -> AsyncIterator[None]:
    runtime = await open_runtime(REPORTS, env.settings(REPORTS, **settings))
    consumer = AbandonedRenders(runtime, queue=DEAD_LETTERS)
    await consumer.start()
    try:
        yield
    finally:
        await consumer.stop()
        await close_runtime(runtime)


async def dead_letter(env, body: bytes) -> None:
    """A message in the render queue's dead-letter queue, as the broker leaves a job given up on."""
    connection = await aio_pika.connect(env.amqp_url)
    try:
        channel = await connection.channel()
        await channel.default_exchange.publish(
            aio_pika.Message(
                body, message_id=str(uuid.uuid4()), headers={"x-death": [{"reason": "delivery_limit"}]}
            ),
            routing_key=DEAD_LETTERS,
        )
    finally:
        await connection.close()


async def queued_run(env, authority: uuid.UUID) -> tuple[uuid.UUID, bytes]:
    """A queued run and the message of its render job."""
    run_id = uuid.uuid4()
    conn = await db.connect(env.dsn("reports"))
    try:
        requested_at = await conn.fetchval(
            "INSERT INTO reports.report_run (run_id, authority_id, report, format, requested_by)"
            " VALUES ($1, $2, 'organisation-directory', 'csv', 'user-1') RETURNING requested_at",
            run_id,
            authority,
        )
    finally:
        await conn.close()
    job = ReportRunRequested(
        run_id=run_id,
        authority_id=authority,
        organisation_id=None,
        report="organisation-directory",
        format="csv",
        requested_by="user-1",
        requested_at=requested_at,
    )
    return run_id, make_envelope(job, aggregate_id=run_id, authority_id=authority).model_dump_json().encode()


async def reports_db(env, method: str, sql: str, *args):
    conn = await db.connect(env.dsn("reports"))
    try:
        return await getattr(conn, method)(sql, *args)
    finally:
        await conn.close()


async def run_row(env, run_id: uuid.UUID):
    return await reports_db(
        env, "fetchrow", "SELECT status, error FROM reports.report_run WHERE run_id = $1", run_id
    )


async def failed(env, run_id: uuid.UUID):
    """The run's row once it is failed."""

    async def settled():
        row = await run_row(env, run_id)
        return row if row["status"] == "failed" else None

    return await eventually(settled, timeout=20, interval=0.1)


async def audit_of(env, run_id: uuid.UUID):
    return await reports_db(env, "fetch", "SELECT * FROM reports.audit_event WHERE subject_id = $1", run_id)


async def test_a_dead_lettered_job_fails_its_run_once(env, authority):
    run_id, job = await queued_run(env, authority)
    async with abandoned_renders(env):
        await dead_letter(env, job)
        await dead_letter(env, job)  # the same job again finds the run failed already: nothing changes

        row = await failed(env, run_id)
        await eventually(lambda: _empty(env), timeout=15, interval=0.1)
    assert row["error"] == RENDER_ABANDONED
    (entry,) = await audit_of(env, run_id)
    assert (entry["action"], entry["outcome"], entry["actor_kind"], entry["actor_id"]) == (
        "report_run_failed",
        "failure",
        "system",
        "render-dead-letters",
    )
    assert entry["detail"] == {"reason": RENDER_ABANDONED, "cause": "delivery_limit"}


async def test_a_message_that_is_no_render_job_is_dropped_and_changes_nothing(env, authority):
    run_id, _ = await queued_run(env, authority)
    other_event = OrganisationUpserted(
        organisation_id=run_id,  # an id that is a run's: still not a render job
        authority_id=authority,
        name="Not A Job",
        reference="R1",
        active=True,
        revision=1,
        updated_at=datetime.now(UTC),
    )
    async with abandoned_renders(env):
        await dead_letter(env, b"not json at all")
        await dead_letter(env, b'{"routing_key": "reports.report_run.requested.v1"}')
        await dead_letter(
            env,
            make_envelope(other_event, aggregate_id=run_id, authority_id=authority)
            .model_dump_json()
            .encode(),
        )
        await eventually(lambda: _empty(env), timeout=15, interval=0.1)
        await asyncio.sleep(0.5)  # a requeued message would be back by now
        assert await render_queue_counts(env) == (0, 0)
    row = await run_row(env, run_id)
    assert (row["status"], row["error"]) == ("queued", None)
    assert await audit_of(env, run_id) == []


async def test_while_the_database_is_away_the_job_waits_for_it(env, authority):
    run_id, job = await queued_run(env, authority)
    async with (
        proxy_to("127.0.0.1", 5432) as proxy,
        abandoned_renders(env, database_url=_via(proxy.port, env.dsn("reports"))),
    ):
        proxy.cut(refuse_new=True)
        await dead_letter(env, job)
        await asyncio.sleep(2.5)  # two tries or more, each put back for the next
        # Still queued, and failed once the database is back (below): the job was kept, not dropped.
        row = await run_row(env, run_id)  # read past the proxy
        assert (row["status"], row["error"]) == ("queued", None)
        proxy.restore()
        row = await failed(env, run_id)
        await eventually(lambda: _empty(env), timeout=15, interval=0.1)
    assert row["error"] == RENDER_ABANDONED
    assert len(await audit_of(env, run_id)) == 1


async def _empty(env) -> bool:
    return await render_queue_counts(env) == (0, 0)


def _via(port: int, dsn: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))
