"""A provider paid on actuals with confirmed weeks, its Finance user's token, and reads of what invoices
left in payments' schema (rows, outbox), for the invoice tests.

    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)         # contract on actuals, two clients, a Finance token
        week = await add_confirmed_week(conn, setup.payee, week_commencing=..., totals=[...])
    made = await create(api, setup, [week])       # the draft as the API answers it
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from shared.auth import Role
from tests.payments.support import API, Payee, bearer, build_payee, payments_conn

WEEK = date(2019, 9, 30)
DURHAM = (Decimal("353.08"), Decimal("303.03"))  # the seeds' week: 656.11


@dataclass
class Invoicer:
    payee: Payee
    auth: dict[str, str]


def finance_token(env: Any, payee: Payee, *, can_edit: bool = True, role: Role = Role.finance) -> str:
    return env.token(
        authority_id=payee.authority_id, organisation_id=payee.organisation_id, role=role, can_edit=can_edit
    )


async def invoicer(
    conn: asyncpg.Connection,
    env: Any,
    *,
    authority_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    vat_registered: bool = False,
    label: str = "",
) -> Invoicer:
    payee = await build_payee(
        conn,
        authority_id=authority_id or uuid.uuid4(),
        organisation_id=organisation_id or uuid.uuid4(),
        payment_basis="actuals",
        vat_registered=vat_registered,
        label=label,
    )
    return Invoicer(payee, bearer(finance_token(env, payee)))


async def create(
    api: httpx.AsyncClient, setup: Invoicer, weeks: list[uuid.UUID], **body: Any
) -> dict[str, Any]:
    answer = await api.post(
        f"{API}/invoices",
        json={"contract_id": str(setup.payee.contract_id), "week_ids": [str(w) for w in weeks], **body},
        headers=setup.auth,
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def submit(api: httpx.AsyncClient, setup: Invoicer, invoice: dict[str, Any]) -> dict[str, Any]:
    answer = await api.post(
        f"{API}/invoices/{invoice['invoice_id']}/submit",
        json={"version": invoice["version"]},
        headers=setup.auth,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def retract(
    api: httpx.AsyncClient, setup: Invoicer, invoice: dict[str, Any], reason: str = "Wrong week"
) -> dict[str, Any]:
    answer = await api.post(
        f"{API}/invoices/{invoice['invoice_id']}/retract",
        json={"version": invoice["version"], "reason": reason},
        headers=setup.auth,
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def rows_of(env: Any, organisation_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every invoice and line of the organisation as stored, to show a refusal changed nothing."""
    async with payments_conn(env) as conn:
        invoices = await conn.fetch(
            "SELECT * FROM payments.invoice WHERE organisation_id = $1 ORDER BY number", organisation_id
        )
        lines = await conn.fetch(
            "SELECT * FROM payments.invoice_line WHERE organisation_id = $1 ORDER BY invoice_id, line_no",
            organisation_id,
        )
    return [dict(r) for r in invoices] + [dict(r) for r in lines]


async def published(env: Any, routing_key: str, aggregate_id: str | uuid.UUID) -> list[dict[str, Any]]:
    """The payloads of this kind in payments' outbox for the document, oldest first."""
    async with payments_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT body FROM payments.outbox WHERE routing_key = $1 ORDER BY id", routing_key
        )
    envelopes = [json.loads(r["body"]) for r in rows]
    return [e["payload"] for e in envelopes if e["aggregate_id"] == str(aggregate_id)]
