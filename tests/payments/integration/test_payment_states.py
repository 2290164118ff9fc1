"""payments.scheduled_payment.upserted.v1: a scheduled payment's full state after every change, for
reports. A run's compute writes the events set-based in SQL: each must be exactly the state
`get_payment` answers (the same envelope as `Outbox.add` writes); a confirmation, a dispute, an amendment,
a decided dispute and finalising publish it too; and a backfill request re-publishes every payment."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from payments.store.payment_states import REPUBLISHERS
from payments.store.payments import get_payment
from shared.backfill import republish
from shared.bus import Outbox
from shared.events import Envelope, ScheduledPaymentUpserted
from shared.store import AuthorityScope
from tests.payments.integration.run_harness import (
    DURHAM,
    WEEK_1,
    payee,
    payments_of,
    run_and_compute,
    schedule,
)
from tests.payments.integration.scheduled import council, finance, payee_with_payment, requests_of
from tests.payments.support import API, COUNCIL_API, payments_api, payments_conn

UPSERTED = "payments.scheduled_payment.upserted.v1"
SP = f"{API}/scheduled-payments"
COUNCIL_SP = f"{COUNCIL_API}/scheduled-payments"


async def envelopes(env: Any, payment_id: uuid.UUID) -> list[Envelope]:
    """The upserted events of the payment in payments' outbox, oldest first, as a consumer parses them."""
    async with payments_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT event_id, body FROM payments.outbox WHERE routing_key = $1"
            " AND convert_from(body, 'UTF8') LIKE '%' || $2 || '%' ORDER BY id",
            UPSERTED,
            str(payment_id),
        )
    found = [Envelope.model_validate_json(bytes(r["body"])) for r in rows]
    assert [e.event_id for e in found] == [r["event_id"] for r in rows]  # the row's id is the envelope's
    return [e for e in found if e.aggregate_id == str(payment_id)]


async def state_now(env: Any, authority_id: uuid.UUID, payment_id: uuid.UUID) -> dict[str, Any]:
    async with payments_conn(env) as conn:
        state = await get_payment(
            conn, scope=AuthorityScope(authority_id, column="p.authority_id"), payment_id=payment_id
        )
    assert state is not None
    return {**state.model_dump(), "authority_id": authority_id}


async def test_a_computed_run_publishes_each_new_payment_as_get_payment_reads_it(env):
    who = await payee(env, costs=DURHAM)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        await run_and_compute(api, env, who.authority_id, WEEK_1)
    [payment] = await payments_of(env, who.contract_id)
    [envelope] = await envelopes(env, payment["payment_id"])
    assert (envelope.routing_key, envelope.producer, envelope.authority_id) == (
        UPSERTED,
        "payments",
        who.authority_id,
    )
    event = ScheduledPaymentUpserted.model_validate(envelope.payload)
    assert event.model_dump() == await state_now(env, who.authority_id, payment["payment_id"])
    assert (event.status, event.revision, event.total, event.period_start) == (
        "unconfirmed",
        1,
        Decimal("656.11"),
        WEEK_1,
    )
    assert sorted((line.client_id, line.total) for line in event.lines) == sorted(
        zip(who.client_ids, DURHAM, strict=True)
    )
    # Amounts travel as strings to the penny, as pydantic writes Decimals.
    assert envelope.payload["total"] == "656.11"
    assert {line["excl_vat"] for line in envelope.payload["lines"]} == {"353.08", "303.03"}


async def test_confirming_publishes_the_confirmed_state(env):
    who, paid = await payee_with_payment(env)
    async with payments_api(env) as api:
        answer = await api.post(
            f"{SP}/{paid.payment_id}/confirm", json={"version": 1}, headers=finance(env, who)
        )
    assert answer.status_code == 200, answer.text
    [envelope] = await envelopes(env, paid.payment_id)
    event = ScheduledPaymentUpserted.model_validate(envelope.payload)
    assert (event.status, event.revision, event.total) == ("confirmed", 2, Decimal("656.11"))
    assert event.model_dump() == await state_now(env, who.authority_id, paid.payment_id)


async def test_disputing_a_line_publishes_the_disputed_state(env):
    who, paid = await payee_with_payment(env)
    bart, lisa = paid.line_ids
    async with payments_api(env) as api:
        answer = await api.post(
            f"{SP}/{paid.payment_id}/dispute",
            json={"version": 1, "reason": "Bart left on 3 October", "line_ids": [str(bart)]},
            headers=finance(env, who),
        )
    assert answer.status_code == 200, answer.text
    [envelope] = await envelopes(env, paid.payment_id)
    event = ScheduledPaymentUpserted.model_validate(envelope.payload)
    assert event.status == "disputed"
    assert {line.line_id: (line.status, line.dispute_reason) for line in event.lines} == {
        bart: ("disputed", "Bart left on 3 October"),
        lisa: ("payable", None),
    }


async def test_a_refused_confirmation_publishes_nothing(env):
    who, paid = await payee_with_payment(env)
    async with payments_api(env) as api:
        answer = await api.post(
            f"{SP}/{paid.payment_id}/confirm", json={"version": 7}, headers=finance(env, who)
        )
    assert answer.status_code == 409, answer.text
    assert await envelopes(env, paid.payment_id) == []


async def test_a_backfill_republishes_every_payment_at_its_current_revision(env):
    who, paid = await payee_with_payment(env, period_start=date(2019, 10, 7), status="confirmed")
    [republisher] = REPUBLISHERS
    async with payments_conn(env) as conn, conn.transaction():
        written = await republish(conn, Outbox("payments"), republisher)
    assert written >= 1
    [envelope] = await envelopes(env, paid.payment_id)
    event = ScheduledPaymentUpserted.model_validate(envelope.payload)
    assert event.model_dump() == await state_now(env, who.authority_id, paid.payment_id)
    assert event.status == "confirmed"
    assert json.loads(envelope.model_dump_json())["payload"]["total"] == "656.11"


async def test_an_amendment_and_a_rejected_dispute_publish_each_new_state(env):
    who, paid = await payee_with_payment(env)
    bart, lisa = paid.line_ids
    async with payments_api(env) as api:
        amended = await api.patch(
            f"{COUNCIL_SP}/{paid.payment_id}/lines/{lisa}",
            json={"version": 1, "excl_vat": "300.00", "reason": "Lisa away one night"},
            headers=council(env, who),
        )
        assert amended.status_code == 200, amended.text
        disputed = await api.post(
            f"{SP}/{paid.payment_id}/dispute",
            json={"version": 2, "reason": "Bart left on 3 October", "line_ids": [str(bart)]},
            headers=finance(env, who),
        )
        assert disputed.status_code == 200, disputed.text
        [request] = await requests_of(env, who.organisation_id)
        rejected = await api.post(
            f"{COUNCIL_API}/disputes/{request['request_id']}/decision",
            json={"decision": "reject", "reason": "He left on the 5th"},
            headers=council(env, who),
        )
        assert rejected.status_code == 200, rejected.text
    events = [
        ScheduledPaymentUpserted.model_validate(e.payload) for e in await envelopes(env, paid.payment_id)
    ]
    assert [(e.revision, e.status, e.total) for e in events] == [
        (2, "unconfirmed", Decimal("653.08")),
        (3, "disputed", Decimal("653.08")),
        (4, "unconfirmed", Decimal("653.08")),
    ]
    assert [line.status for line in events[1].lines if line.line_id == bart] == ["disputed"]
    assert {line.status for line in events[2].lines} == {"payable"}
    assert events[-1].model_dump() == await state_now(env, who.authority_id, paid.payment_id)
