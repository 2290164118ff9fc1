"""Notification delivery: `make bench-notifications` (= `uv run python -m bench.notifications`).

In one run, on an isolated database (tests/support/environment, removed at the end), against one local
SMTP sink (aiosmtpd, devtools/mail_sink.py) in a process of its own that counts what it receives by
Message-ID:
- floor: a raw aiosmtplib loop, one connection, sending MAILS prebuilt messages one after the other:
         mails per second;
- ours:  MAILS notifications queued in messaging's outbox beforehand (`messaging.notifications.queue`,
         1,000 recipients per call), then the worker's sender (`run_sender`, its default settings: two
         senders, batches of 50) claiming, sending and marking them until every row is sent: mails per
         second from the sender's start to the last row marked sent.
Goal (issue 15): ours >= 0.5x the floor; none twice (the sink's count of distinct Message-IDs equals the
mails it received, for ours).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

import aiosmtplib

from bench.common import machine, run_main
from devtools.mail_sink import serving
from messaging.config import Settings
from messaging.notifications import Recipient, build_message, queue
from messaging.notifications.backends import SmtpBackend
from messaging.notifications.sender import run_sender
from shared import db
from tests.support.environment import RunEnvironment, new_run_id

MAILS = 10_000
GOAL = 0.5
SENDER = "Provider Portal <no-reply@portal.example>"
SUBJECT = "Action A-000123 is waiting for Payments"
BODY = (
    "A Payments Message action has been assigned to Payments.\n\nAction: A-000123\n"
    "Provider: Sausage Sandwich Fostering\nDue: 4 December 2026\n\n"
    "Open the action in the Provider Portal:\nhttp://localhost:8000/actions/x\n"
)


class CountingSink:
    """Counts the Message-IDs it receives; answers 250 at once."""

    def __init__(self) -> None:
        self.ids: Counter[bytes] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw: bytes = envelope.original_content or b""
        start = raw.find(b"Message-ID:")
        self.ids[raw[start : raw.find(b"\r\n", start)] if start >= 0 else b""] += 1
        return "250 2.0.0 Kept"


def sink_process(control: Connection) -> None:
    """The sink, in its own process: it reports its port, then answers "count" (received, distinct) and
    "reset" until "stop"."""

    async def main() -> None:
        sink = CountingSink()
        async with serving(sink) as port:
            control.send(port)
            loop = asyncio.get_running_loop()
            while True:
                command = await loop.run_in_executor(None, control.recv)
                if command == "count":
                    control.send((sum(sink.ids.values()), len(sink.ids)))
                elif command == "reset":
                    sink.ids.clear()
                    control.send(None)
                else:
                    return

    asyncio.run(main())


def ask(control: Connection, command: str) -> Any:
    control.send(command)
    return control.recv()


async def floor(port: int, keys: Sequence[str]) -> float:
    # The messages are built before the clock starts: the floor is SMTP alone (ours builds each one).
    messages = [
        build_message(
            sender=SENDER, to=f"person{n}@carer.example", subject=SUBJECT, body=BODY, idempotency_key=k
        )
        for n, k in enumerate(keys)
    ]
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    await smtp.connect()
    started = time.perf_counter()
    for message in messages:
        await smtp.send_message(message)
    elapsed = time.perf_counter() - started
    await smtp.quit()
    return elapsed


async def ours(
    env: RunEnvironment, port: int, control: Connection, mails: int, settings: Settings
) -> tuple[float, int]:
    pool = await db.create_pool(env.dsn("messaging"), min_size=1, max_size=4)
    authority_id = uuid.uuid4()
    try:
        async with pool.acquire() as conn:
            for start in range(0, mails, 1000):
                async with conn.transaction():
                    await queue(
                        conn,
                        authority_id=authority_id,
                        key=f"bench:{authority_id}:{start}",
                        recipients=[
                            Recipient(address=f"person{n}@carer.example")
                            for n in range(start, min(start + 1000, mails))
                        ],
                        subject=SUBJECT,
                        body=BODY,
                        essential=True,
                    )
        stop = asyncio.Event()
        backends = [
            SmtpBackend(host="127.0.0.1", port=port, sender=SENDER)
            for _ in range(settings.notification_senders)
        ]
        started = time.perf_counter()
        senders = [
            asyncio.create_task(
                run_sender(
                    pool,
                    backend,
                    stop,
                    batch_size=settings.notification_batch_size,
                    retry_delays=settings.notification_retry_delays,
                    poll_seconds=0.05,
                )
            )
            for backend in backends
        ]
        # Done when the sink has every mail and every row is marked sent (the database is asked only then,
        # so that watching costs the path nothing).
        while ask(control, "count")[0] < mails:  # noqa: ASYNC110 (a count in another process: no event to await)
            await asyncio.sleep(0.02)
        async with pool.acquire() as conn:
            while await conn.fetchval(  # noqa: ASYNC110 (rows of other transactions: no event to await)
                "SELECT count(*) FROM messaging.notification WHERE authority_id = $1 AND status <> 'sent'",
                authority_id,
            ):
                await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        stop.set()
        await asyncio.gather(*senders)
        for backend in backends:
            await backend.close()
        async with pool.acquire() as conn:
            sent = await conn.fetchval(
                "SELECT count(*) FROM messaging.notification WHERE authority_id = $1 AND status = 'sent'"
                " AND attempts = 1",
                authority_id,
            )
        return elapsed, int(sent)
    finally:
        await pool.close()


async def run(args: argparse.Namespace) -> str:
    mails: int = args.mails
    machine_line = await machine()
    env = RunEnvironment(run_id=new_run_id())
    await env.create()
    from messaging.main import DEFINITION as MESSAGING

    settings = env.settings(MESSAGING, **{"send_notifications": True, **dict(args.settings)})
    assert isinstance(settings, Settings)
    here, there = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(target=sink_process, args=(there,), daemon=True)
    child.start()
    lines = [
        f"machine: {machine_line}",
        f"mails: {mails} per round; sender settings: batch {settings.notification_batch_size},"
        f" senders {settings.notification_senders}",
    ]
    ratios = []
    try:
        port = here.recv()
        for round_ in range(1, args.rounds + 1):
            keys = [f"bench:floor:{round_}/person{n}@carer.example" for n in range(mails)]
            floor_s = await floor(port, keys)
            floor_count = ask(here, "count")
            ask(here, "reset")
            ours_s, marked = await ours(env, port, here, mails, settings)
            received, distinct = ask(here, "count")
            ask(here, "reset")
            floor_rate, ours_rate = mails / floor_s, mails / ours_s
            ratios.append(ours_rate / floor_rate)
            once = received == distinct == marked == mails
            lines.append(
                f"round {round_}: floor (raw aiosmtplib loop) {floor_rate:,.0f} mails/s ({floor_s:.1f} s, sink"
                f" {floor_count[0]}/{floor_count[1]} distinct); ours (outbox -> sender -> sink)"
                f" {ours_rate:,.0f} mails/s ({ours_s:.1f} s, sink {received}/{distinct} distinct Message-IDs,"
                f" {marked} rows sent on the first attempt); ours/floor {ours_rate / floor_rate:.2f};"
                f" none twice: {'yes' if once else 'NO'}"
            )
        here.send("stop")
    finally:
        child.join(timeout=10)
        await env.destroy()
    median = statistics.median(ratios)
    lines.append(
        f"ours / floor, median of {len(ratios)}: {median:.2f} (goal >= {GOAL}: {'met' if median >= GOAL else 'NOT met'})"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mails", type=int, default=MAILS)
    parser.add_argument("--rounds", type=int, default=3, help="floor then ours, this many times (median)")
    parser.add_argument(
        "--set",
        dest="settings",
        metavar="NAME=VALUE",
        action="append",
        type=lambda s: tuple(s.split("=", 1)),
        default=[],
        help="a messaging setting for our path, e.g. notification_batch_size=100",
    )
    run_main(run, parser.parse_args(argv))


if __name__ == "__main__":
    main()
