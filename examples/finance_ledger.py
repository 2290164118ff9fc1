"""Post the Provider Portal's payment events to a ledger CSV: an example consumer for a council's finance
system (docs/finance-integration.md). It needs Python 3.11+ and aio-pika, nothing from the portal's code,
so a council can copy it and replace `write_rows` with its own ledger.

    python finance_ledger.py --amqp-url amqp://finance:secret@broker:5672/ \\
        --authority-id 0b6f...  --queue finance-ledger --ledger ledger.csv

What it does, and why:
- declares its own durable quorum queue bound to the platform's `portal.events` topic exchange for the six
  payment events (the exchange is only checked, never declared: the platform owns it), with a dead-letter
  exchange and queue (`<queue>.dlx`, `<queue>.dlq`) where a message it cannot read rests for a person;
- writes one CSV row per posting line, money as the strings received (never a float);
- deduplicates on the envelope's `event_id`, read back from the CSV at start: delivery is at-least-once,
  and a redelivered or replayed event writes nothing twice;
- acknowledges a message only once its rows are flushed to disk, so a crash loses nothing;
- keeps only its own council's events (`--authority-id`): the exchange carries every council's.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

EXCHANGE = "portal.events"
ROUTING_KEYS = (
    "payments.scheduled_payment.confirmed.v1",
    "payments.scheduled_payment.disputed.v1",
    "payments.payment_run.finalised.v1",
    "payments.remittance.issued.v1",
    "payments.invoice.submitted.v1",
    "payments.credit_note.issued.v1",
)
COLUMNS = (
    "event_id",
    "event_type",
    "occurred_at",
    "document",
    "status",
    "supplier_reference",
    "contract_reference",
    "period_start",
    "period_end",
    "pay_date",
    "client_reference",
    "purchase_order",
    "cost_code",
    "excl_vat",
    "vat",
    "total",
)
DELIVERY_LIMIT = 5  # a message that crashes the script this many times goes to the dead-letter queue

Row = dict[str, Any]  # a posting line; every value is written as its text


class Unreadable(Exception):
    """A message that is not a payment event this script knows: dead-lettered, never retried."""


def posting_rows(envelope: dict[str, Any]) -> list[dict[str, str]]:
    """The ledger rows of one event: what a finance system posts for it."""
    kind, payload = envelope["event_type"], envelope["payload"]
    common = {
        "event_id": envelope["event_id"],
        "event_type": kind,
        "occurred_at": envelope["occurred_at"],
    }
    if kind == "payments.scheduled_payment.confirmed":  # a commitment: every line as it stands
        rows = [_payment_line(payload, line, line["status"]) for line in payload["lines"]]
    elif kind == "payments.scheduled_payment.disputed":  # what is held back while the dispute stands
        disputed = set(payload["disputed_line_ids"])
        lines = [x for x in payload["lines"] if payload["whole_payment"] or x["line_id"] in disputed]
        rows = [_payment_line(payload, line, "disputed") for line in lines]
    elif kind == "payments.payment_run.finalised":  # the run's payments, one row each
        rows = [
            {**_amounts(p), **_heading(p), "document": payload["reference"], "status": "finalised"}
            for p in payload["payments"]
        ]
    elif kind == "payments.remittance.issued":  # the money paid, line by line
        rows = [
            {**_heading(payload), **_line(line), "document": payload["reference"], "status": "paid"}
            for line in payload["lines"]
        ]
    elif kind in ("payments.invoice.submitted", "payments.credit_note.issued"):  # a credit is negative
        rows = [_invoice_line(payload, line) for line in payload["lines"]]
    else:
        raise Unreadable(f"not a payment event this ledger posts: {kind}")
    return [{column: _text(row.get(column)) for column in COLUMNS} | common for row in rows]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _heading(source: dict[str, Any]) -> Row:
    return {
        "supplier_reference": source["supplier_reference"],
        "contract_reference": source["contract_reference"],
        "period_start": source["period_start"],
        "period_end": source["period_end"],
        "pay_date": source["pay_date"],
    }


def _amounts(source: dict[str, Any]) -> Row:
    return {"excl_vat": source["excl_vat"], "vat": source["vat"], "total": source["total"]}


def _line(line: dict[str, Any]) -> Row:
    return {
        "client_reference": line.get("client_reference"),
        "purchase_order": line.get("purchase_order_number"),
        "cost_code": line.get("cost_code"),
        **_amounts(line),
    }


def _payment_line(payment: dict[str, Any], line: dict[str, Any], status: str) -> Row:
    return {**_heading(payment), **_line(line), "document": payment["payment_id"], "status": status}


def _invoice_line(invoice: dict[str, Any], line: dict[str, Any]) -> Row:
    # An invoice has no pay date: its lines are weeks of actuals, or the periods a run's credit note takes
    # back (service_start/service_end, added to v1; a week alone in events sent before them).
    week = line.get("week_commencing")
    first_day = line.get("service_start") or week
    last_day = line.get("service_end") or (
        (date.fromisoformat(week) + timedelta(days=6)).isoformat() if week else ""
    )
    # A payment run's credit note (credits_payment_id) documents the negative lines the run already netted
    # in that payment's remittance (posted there as paid): recorded, but not a second reversal.
    status = "netted" if invoice.get("credits_payment_id") else invoice["kind"]
    return {
        "supplier_reference": invoice["supplier_reference"],
        "contract_reference": invoice["contract_reference"],
        "period_start": first_day,
        "period_end": last_day,
        **_line(line),
        "document": invoice["number"],
        "status": status,
    }


class Ledger:
    """The CSV, and the event ids already in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.written: set[str] = set()
        if path.exists():
            with path.open(newline="") as existing:
                self.written = {row["event_id"] for row in csv.DictReader(existing)}
        else:
            self._append(",".join(COLUMNS) + "\r\n")

    def write_rows(self, event_id: str, rows: list[dict[str, str]]) -> None:
        """Every row of one event in one write, flushed to disk before the caller acknowledges it."""
        text = io.StringIO()
        csv.DictWriter(text, fieldnames=COLUMNS).writerows(rows)
        self._append(text.getvalue())
        self.written.add(event_id)

    def _append(self, text: str) -> None:
        with self.path.open("a", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())


async def declare(channel: AbstractChannel, name: str, *, passive: bool) -> AbstractQueue:
    """The queue and its bindings; with `passive`, only check that an operator declared them."""
    if passive:
        return await channel.declare_queue(name, passive=True)
    exchange = await channel.declare_exchange(EXCHANGE, passive=True)
    quorum: dict[str, Any] = {"x-queue-type": "quorum"}
    # A dead-letter exchange of its own, not the default one: dead-lettering through an exchange needs
    # write permission on it, and write on the default exchange would let this user publish to any queue.
    dlx = await channel.declare_exchange(f"{name}.dlx", aio_pika.ExchangeType.FANOUT, durable=True)
    dlq = await channel.declare_queue(f"{name}.dlq", durable=True, arguments=quorum)
    await dlq.bind(dlx)
    queue = await channel.declare_queue(
        name,
        durable=True,
        arguments={**quorum, "x-delivery-limit": DELIVERY_LIMIT, "x-dead-letter-exchange": f"{name}.dlx"},
    )
    for key in ROUTING_KEYS:
        await queue.bind(exchange, routing_key=key)
    return queue


def handle(message: AbstractIncomingMessage, ledger: Ledger, authority_id: str) -> str:
    """Post one message; return what happened to it: written, duplicate or another council's."""
    try:
        envelope = json.loads(message.body, parse_float=str)  # numbers stay as their text
        event_id = str(uuid.UUID(envelope["event_id"]))
        if envelope.get("authority_id") != authority_id:
            return "skipped"
        if event_id in ledger.written:
            return "duplicate"
        rows = posting_rows(envelope)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Unreadable(f"{type(exc).__name__}: {exc}") from exc
    ledger.write_rows(event_id, rows)
    return "written"


async def run(
    amqp_url: str,
    *,
    queue_name: str,
    ledger_path: Path,
    authority_id: uuid.UUID,
    passive: bool = False,
    idle_exit: float | None = None,
) -> dict[str, int]:
    """Consume until stopped (or `idle_exit` seconds without a message); return the counts."""
    ledger = Ledger(ledger_path)
    counts = {"written": 0, "duplicate": 0, "skipped": 0, "dead-lettered": 0}
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=10)
        queue = await declare(channel, queue_name, passive=passive)
        waiting: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        await queue.consume(waiting.put)
        while True:
            try:
                message = await asyncio.wait_for(waiting.get(), timeout=idle_exit)
            except TimeoutError:
                return counts
            try:
                outcome = handle(message, ledger, str(authority_id))
            except Unreadable as exc:
                print(f"dead-lettered {message.message_id}: {exc}", file=sys.stderr)
                await message.reject(requeue=False)
                counts["dead-lettered"] += 1
                continue
            await message.ack()  # only now: the rows are on disk
            counts[outcome] += 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--amqp-url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@localhost/"))
    parser.add_argument("--authority-id", type=uuid.UUID, required=True, help="your council's id")
    parser.add_argument("--queue", default="finance-ledger", help="your queue (default finance-ledger)")
    parser.add_argument("--ledger", type=Path, default=Path("ledger.csv"), help="the CSV to append to")
    parser.add_argument(
        "--no-declare",
        action="store_true",
        help="only check the queue exists (an operator declared it; the broker user may only read)",
    )
    parser.add_argument("--idle-exit", type=float, help="stop after this many seconds without a message")
    args = parser.parse_args(argv)
    counts = asyncio.run(
        run(
            args.amqp_url,
            queue_name=args.queue,
            ledger_path=args.ledger,
            authority_id=args.authority_id,
            passive=args.no_declare,
            idle_exit=args.idle_exit,
        )
    )
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
