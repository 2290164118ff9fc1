"""examples/finance_ledger.py, the consumer docs/finance-integration.md gives councils, run as a council
would run it (a process of its own) against the run's broker: one ledger row per posting line, amounts to
the penny as sent, an event written once however often it is delivered, another council's events and
unreadable messages never written. Its routing keys are checked against the event models, so the example
and the contract cannot drift apart (the guide's examples: test_finance_guide.py)."""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import json
import re
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType

import aio_pika
import pytest
from yarl import URL

from shared.bus.topology import declare_events_exchange
from shared.events import BY_ROUTING_KEY, EVENT_TYPES, CreditNoteIssued, make_envelope
from shared.events.envelope import Envelope, EventPayload
from tests.payments.finance_events import six_events
from tests.support.environment import RunEnvironment, rabbitmqctl

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "finance_ledger.py"
HEADER = [
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
]


def example_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("finance_ledger", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def run_example(*args: str) -> tuple[int, dict[str, int] | None, str]:
    """The script in a process of its own; (exit code, the counts it printed, its stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    counts = json.loads(out) if process.returncode == 0 else None
    return process.returncode or 0, counts, err.decode()


@pytest.fixture
async def channel(env: RunEnvironment) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A confirm channel on the run's vhost, with the platform's exchange declared as the platform does."""
    connection = await aio_pika.connect(env.amqp_url)
    async with connection:
        opened = await connection.channel(publisher_confirms=True)
        await declare_events_exchange(opened, "portal.events")
        yield opened


async def publish(channel: aio_pika.abc.AbstractChannel, envelope: Envelope) -> None:
    """As the platform's relay publishes an outbox row."""
    exchange = await channel.get_exchange("portal.events")
    await exchange.publish(
        aio_pika.Message(
            body=envelope.model_dump_json().encode(),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=str(envelope.event_id),
            type=envelope.routing_key,
        ),
        routing_key=envelope.routing_key,
    )


def envelope_of(event: EventPayload, authority_id: uuid.UUID) -> Envelope:
    return make_envelope(event, aggregate_id=uuid.uuid4(), authority_id=authority_id)


def ledger_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == HEADER
        return list(reader)


def expected_rows(sent: dict[str, Envelope]) -> list[dict[str, str]]:
    """The rows each event must give, in the order they were sent."""

    def row(name: str, document: str, status: str, *cells: str) -> dict[str, str]:
        wire = json.loads(sent[name].model_dump_json())
        head = [wire["event_id"], wire["event_type"], wire["occurred_at"], document, status]
        return dict(zip(HEADER, [*head, *cells], strict=True))

    payment_id = str(sent["confirmed"].payload["payment_id"])
    period = ("741254", "C-FOST-0148", "2019-09-30", "2019-10-06", "2019-10-11")
    week = ("741254", "C-FOST-0148", "2019-09-30", "2019-10-06", "")
    bart = ("C2000020", "PO-2019-148-1", "CC-FOST-01")
    lisa = ("C2000021", "PO-2019-148-2", "")
    return [
        row("confirmed", payment_id, "payable", *period, *bart, "353.08", "0.00", "353.08"),
        row("confirmed", payment_id, "payable", *period, *lisa, "303.03", "0.00", "303.03"),
        row("disputed", payment_id, "disputed", *period, *lisa, "303.03", "0.00", "303.03"),
        row("finalised", "PR-2019-10-1", "finalised", *period, "", "", "", "353.08", "0.00", "353.08"),
        row(
            "finalised",
            "PR-2019-10-1",
            "finalised",
            "741255",
            "C-RES-0007",
            *period[2:],
            "",
            "",
            "",
            "1200.50",
            "240.10",
            "1440.60",
        ),
        row("remittance", "RA-2019-40-741254", "paid", *period, *bart, "353.08", "0.00", "353.08"),
        row(
            "remittance",
            "RA-2019-40-741254",
            "paid",
            *period,
            "",
            "PO-2019-148-9",
            "",
            "100.00",
            "20.00",
            "120.00",
        ),
        row("invoice", "INV-000123", "invoice", *week, *bart, "250.00", "0.00", "250.00"),
        row("credit", "CRN-000007", "credit_note", *week, *bart, "-250.00", "0.00", "-250.00"),
    ]


async def test_every_event_is_posted_line_by_line_once_however_often_it_arrives(env, channel, tmp_path):
    authority_id = uuid.uuid4()
    queue = f"finance-ledger-{uuid.uuid4().hex[:8]}"
    ledger = tmp_path / "ledger.csv"
    args = ("--amqp-url", env.amqp_url, "--queue", queue, "--ledger", str(ledger))
    args += ("--authority-id", str(authority_id))

    code, counts, err = await run_example(*args, "--idle-exit", "0.3")  # declares its queue
    assert (code, counts) == (0, {"written": 0, "duplicate": 0, "skipped": 0, "dead-lettered": 0}), err
    assert ledger_rows(ledger) == []

    sent = {name: envelope_of(event, authority_id) for name, event in six_events(authority_id).items()}
    for name in ("confirmed", "disputed", "finalised", "remittance", "invoice", "credit"):
        await publish(channel, sent[name])
        if name == "remittance":
            await publish(channel, sent[name])  # redelivered: the same event id again
    another_council = uuid.uuid4()
    await publish(channel, envelope_of(six_events(another_council)["remittance"], another_council))
    await exchange_publish_raw(channel, b"{not json")

    code, counts, err = await run_example(*args, "--idle-exit", "1.5")
    assert (code, counts) == (0, {"written": 6, "duplicate": 1, "skipped": 1, "dead-lettered": 1}), err
    assert "dead-lettered" in err and "JSONDecodeError" in err
    assert ledger_rows(ledger) == expected_rows(sent)
    before = ledger.read_bytes()

    await publish(channel, sent["remittance"])  # replayed after a restart: the ids are read from the CSV
    await publish(channel, sent["credit"])
    code, counts, err = await run_example(*args, "--idle-exit", "1.0")
    assert (code, counts) == (0, {"written": 0, "duplicate": 2, "skipped": 0, "dead-lettered": 0}), err
    assert ledger.read_bytes() == before

    declared = await channel.declare_queue(queue, passive=True)
    assert declared.declaration_result.message_count == 0, "every message was acknowledged"
    dead = await channel.declare_queue(f"{queue}.dlq", passive=True)
    assert dead.declaration_result.message_count == 1, "the unreadable message waits in the DLQ"
    kept = await dead.get(no_ack=True)
    assert kept is not None and kept.body == b"{not json"


@asynccontextmanager
async def broker_user(env: RunEnvironment, configure: str, write: str, read: str) -> AsyncIterator[str]:
    """A broker user of its own with these permissions on the run's vhost, deleted after; its AMQP URL."""
    user, password = f"finance-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    await rabbitmqctl("add_user", user, password)
    try:
        await rabbitmqctl("set_permissions", "-p", env.vhost, user, configure, write, read)
        yield str(URL(env.amqp_url).with_user(user).with_password(password))
    finally:
        await rabbitmqctl("delete_user", user)


async def test_a_read_only_broker_user_consumes_a_queue_an_operator_declared(env, channel, tmp_path):
    """The permissions docs/finance-integration.md gives a council's broker user: read on its own queue,
    nothing else. It cannot declare the queue, but it can consume the one an operator declared."""
    authority_id = uuid.uuid4()
    queue = f"finance-ledger-{uuid.uuid4().hex[:8]}"
    ledger = tmp_path / "ledger.csv"
    common = ("--queue", queue, "--ledger", str(ledger), "--authority-id", str(authority_id))
    code, _, err = await run_example("--amqp-url", env.amqp_url, *common, "--idle-exit", "0.3")
    assert code == 0, err  # the operator's declaration (with the broker's administrator)
    async with broker_user(env, "^$", "^$", f"^{re.escape(queue)}$") as as_finance:
        code, _, err = await run_example("--amqp-url", as_finance, *common, "--idle-exit", "0.3")
        assert code != 0 and "ACCESS_REFUSED" in err, "it may not declare (configure) anything"

        event = envelope_of(six_events(authority_id)["invoice"], authority_id)
        await publish(channel, event)
        code, counts, err = await run_example(
            "--amqp-url", as_finance, *common, "--no-declare", "--idle-exit", "1.0"
        )
        assert (code, counts) == (0, {"written": 1, "duplicate": 0, "skipped": 0, "dead-lettered": 0}), err
        assert [r["event_id"] for r in ledger_rows(ledger)] == [str(event.event_id)]


async def test_a_broker_user_with_the_guides_declaring_permissions_declares_and_consumes(
    env, channel, tmp_path
):
    """The guide's permissions for a user that declares its own queue, dead-letter exchange and queue:
    enough to run the example, with nothing on the default exchange (which would reach any queue)."""
    authority_id = uuid.uuid4()
    queue = f"finance-ledger-{uuid.uuid4().hex[:8]}"
    ledger = tmp_path / "ledger.csv"
    common = ("--queue", queue, "--ledger", str(ledger), "--authority-id", str(authority_id))
    own = re.escape(queue)
    permissions = (
        f"^{own}(\\.dlq|\\.dlx)?$",
        f"^{own}(\\.dlq|\\.dlx)?$",
        f"^({own}(\\.dlx)?|portal\\.events)$",
    )
    async with broker_user(env, *permissions) as as_finance:
        code, _, err = await run_example("--amqp-url", as_finance, *common, "--idle-exit", "0.3")
        assert code == 0, err
        event = envelope_of(six_events(authority_id)["credit"], authority_id)
        await publish(channel, event)
        await exchange_publish_raw(channel, b"[]")
        code, counts, err = await run_example("--amqp-url", as_finance, *common, "--idle-exit", "1.0")
        assert (code, counts) == (0, {"written": 1, "duplicate": 0, "skipped": 0, "dead-lettered": 1}), err
        for exchange in ("portal.events", ""):  # it cannot publish an event the portal would believe
            assert "ACCESS_REFUSED" in await publish_refusal(as_finance, exchange), exchange or "default"
    assert [r["total"] for r in ledger_rows(ledger)] == ["-250.00"]
    dead = await channel.declare_queue(f"{queue}.dlq", passive=True)
    assert dead.declaration_result.message_count == 1


async def publish_refusal(url: str, exchange: str) -> str:
    """What the broker answers `url`'s user publishing to `exchange` (confirmed), as text."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange, ensure=False) if exchange else channel.default_exchange
        try:
            await target.publish(aio_pika.Message(b"{}"), routing_key="payments.events")
        except aio_pika.exceptions.AMQPError as exc:
            return repr(exc)
    return "published"


async def exchange_publish_raw(channel: aio_pika.abc.AbstractChannel, body: bytes) -> None:
    exchange = await channel.get_exchange("portal.events")
    await exchange.publish(aio_pika.Message(body), routing_key="payments.credit_note.issued.v1")


async def test_a_missing_authority_is_refused_before_anything_connects(tmp_path):
    ledger = tmp_path / "ledger.csv"
    code, counts, err = await run_example("--amqp-url", "amqp://nobody@127.0.0.1:1/", "--ledger", str(ledger))
    assert code == 2 and counts is None
    assert "--authority-id" in err
    assert not ledger.exists()


def test_the_example_binds_exactly_the_payment_events_of_the_contract():
    bound = example_module().ROUTING_KEYS
    assert len(set(bound)) == len(bound) == 6
    for key in bound:
        assert key in BY_ROUTING_KEY, f"{key} is not an event of shared.events"
    payments = {e.routing_key() for e in EVENT_TYPES if e.producer == "payments"}
    assert set(bound) == payments - NOT_POSTED, (
        "a new payments event needs a decision: post it or say why not"
    )


# Payments events a finance system has nothing to post for, each with why.
NOT_POSTED = {
    # The request-and-decide record of a dispute (shared.decisions): its money is in
    # payments.scheduled_payment.disputed, and the council's decision changes what the run pays.
    "payments.dispute_request.upserted.v1",
    # Every change of a payment's full state, for read models (reports); what a finance system posts is
    # in the confirmed, disputed, finalised and remittance events.
    "payments.scheduled_payment.upserted.v1",
    # A command to payments (re-publish states for a late consumer), not a business event.
    "payments.backfill.requested.v1",
}


def test_a_runs_credit_note_is_recorded_but_not_posted_again():
    """A payment run's credit note (credits_payment_id) documents the negative lines the run netted in
    that payment's remittance: its rows are `netted`, so a ledger that sums what was paid and reversed
    does not take the money back twice. A retraction of an invoice stays a reversal."""
    authority_id = uuid.uuid4()
    events = six_events(authority_id)
    retraction = events["credit"]
    assert isinstance(retraction, CreditNoteIssued)
    by_run = retraction.model_copy(update={"credits_invoice_id": None, "credits_payment_id": uuid.uuid4()})
    posting_rows = example_module().posting_rows
    assert [
        r["status"] for r in posting_rows(envelope_of(retraction, authority_id).model_dump(mode="json"))
    ] == ["credit_note"]
    assert [r["status"] for r in posting_rows(envelope_of(by_run, authority_id).model_dump(mode="json"))] == [
        "netted"
    ]
