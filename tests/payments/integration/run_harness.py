"""What the payment engine's tests share: a council with payees in payments' projections, schedules and
runs through the council API in this process, the worker's compute called directly, and reads of the
rows and the outbox."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from shared import db
from shared.bus import Outbox
from shared.uow import Work
from tests.payments.support import COUNCIL_API, Payee, bearer, build_payee, payments_conn

DURHAM = (Decimal("353.08"), Decimal("303.03"))
WEEK_1 = date(2019, 9, 30)  # the seeds' Durham period (a Monday)
WEEK_2 = date(2019, 10, 7)
WEEK_3 = date(2019, 10, 14)
AFTER = date(2019, 12, 1)  # every 2019 period's dates have passed


def council(env: Any, authority_id: uuid.UUID) -> dict[str, str]:
    return bearer(env.council_token(authority_id))


@asynccontextmanager
async def payments_work(env: Any) -> AsyncIterator[Work]:
    pool = await db.create_pool(env.dsn("payments"))
    try:
        yield Work(pool, Outbox("payments"))
    finally:
        await pool.close()


async def payee(env: Any, authority_id: uuid.UUID | None = None, **options: Any) -> Payee:
    async with payments_conn(env) as conn:
        return await build_payee(
            conn, authority_id=authority_id or uuid.uuid4(), organisation_id=uuid.uuid4(), **options
        )


async def put_schedules(api: httpx.AsyncClient, headers: dict[str, str], items: list[Any]) -> httpx.Response:
    return await api.put(f"{COUNCIL_API}/schedules", json=items, headers=headers)


async def schedule(api: httpx.AsyncClient, env: Any, who: Payee, anchor: date = WEEK_1, **item: Any) -> None:
    answer = await put_schedules(
        api,
        council(env, who.authority_id),
        [{"contract_id": str(who.contract_id), "anchor_date": str(anchor), **item}],
    )
    assert answer.status_code == 200, answer.text


async def start(
    api: httpx.AsyncClient, env: Any, authority_id: uuid.UUID, period_start: date, frequency: str = "weekly"
) -> httpx.Response:
    return await api.post(
        f"{COUNCIL_API}/runs",
        json={"frequency": frequency, "period_start": str(period_start)},
        headers=council(env, authority_id),
    )


async def run_and_compute(
    api: httpx.AsyncClient, env: Any, authority_id: uuid.UUID, period_start: date, **compute: Any
) -> uuid.UUID:
    """Start the run through the API and compute it as the worker would."""
    from payments.handlers.runs import compute_run

    answer = await start(api, env, authority_id, period_start)
    assert answer.status_code in (200, 202), answer.text
    run_id = uuid.UUID(answer.json()["run"]["run_id"])
    async with payments_work(env) as work:
        assert await compute_run(work, run_id=run_id, today=AFTER, **compute)
    return run_id


async def finalise(
    api: httpx.AsyncClient, env: Any, authority_id: uuid.UUID, run_id: uuid.UUID
) -> httpx.Response:
    return await api.post(f"{COUNCIL_API}/runs/{run_id}/finalise", headers=council(env, authority_id))


async def payment_lines(env: Any, contract_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every line of the contract's payments, by period then source key."""
    async with payments_conn(env) as conn:
        rows = await conn.fetch(
            """
            SELECT pe.start_date AS period, sp.status AS payment_status, l.source, l.source_key,
                   l.client_id, l.week_id, l.service_start, l.service_end, l.adjustment, l.excl_vat, l.vat,
                   l.total, l.status, l.line_id, l.dispute_request_id, po.number AS po_number,
                   po.kind AS po_kind
              FROM payments.payment_line l
              JOIN payments.scheduled_payment sp USING (payment_id)
              JOIN payments.period pe USING (period_id)
              JOIN payments.purchase_order po USING (purchase_order_id)
             WHERE l.contract_id = $1
             ORDER BY pe.start_date, l.source_key
            """,
            contract_id,
        )
    return [dict(r) for r in rows]


async def payments_of(env: Any, contract_id: uuid.UUID) -> list[dict[str, Any]]:
    async with payments_conn(env) as conn:
        rows = await conn.fetch(
            """
            SELECT sp.payment_id, pe.start_date AS period, sp.status, sp.excl_vat, sp.vat, sp.total, sp.run_id
              FROM payments.scheduled_payment sp JOIN payments.period pe USING (period_id)
             WHERE sp.contract_id = $1 ORDER BY pe.start_date
            """,
            contract_id,
        )
    return [dict(r) for r in rows]


async def outbox(env: Any, routing_key: str, authority_id: uuid.UUID) -> list[dict[str, Any]]:
    """The payloads of this kind for the authority in payments' outbox, oldest first."""
    async with payments_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT body FROM payments.outbox WHERE routing_key = $1 ORDER BY id", routing_key
        )
    envelopes = [json.loads(r["body"]) for r in rows]
    return [e["payload"] for e in envelopes if e["payload"].get("authority_id") == str(authority_id)]


async def snapshot(env: Any, authority_id: uuid.UUID) -> dict[str, Any]:
    """Every row of the authority the engine writes, to show that a refusal changed nothing."""
    tables = (
        "schedule",
        "period",
        "payment_run",
        "scheduled_payment",
        "payment_line",
        "purchase_order",
        "remittance",
        "invoice",
    )
    async with payments_conn(env) as conn:
        return {
            t: sorted(
                json.dumps(dict(r), default=str, sort_keys=True)
                for r in await conn.fetch(f"SELECT * FROM payments.{t} WHERE authority_id = $1", authority_id)
            )
            for t in tables
        }
