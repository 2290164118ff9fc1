"""What the scheduled payments tests share: tokens of a payee's people, a payment's rows as they stand
(to assert a refusal changed nothing), and what payments published or audited about a payment."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from shared.auth import Role
from tests.payments.support import Payee, SeededPayment, bearer, build_payee, payments_conn, seed_payment

DURHAM = (Decimal("353.08"), Decimal("303.03"))  # seed 004: Bart and Lisa, 656.11


def finance(env: Any, payee: Payee, *, can_edit: bool = True) -> dict[str, str]:
    """A provider's finance person (Capability.scheduled_payments), read-only without `can_edit`."""
    return bearer(
        env.token(
            authority_id=payee.authority_id,
            organisation_id=payee.organisation_id,
            role=Role.finance,
            can_edit=can_edit,
        )
    )


def council(env: Any, payee: Payee, *, can_edit: bool = True) -> dict[str, str]:
    return bearer(env.council_user_token(payee.authority_id, can_edit=can_edit))


async def payee_with_payment(
    env: Any,
    *,
    label: str = "",
    period_start: date = date(2019, 9, 30),
    status: str = "unconfirmed",
    vat_rate: Decimal = Decimal("0"),
    amounts: tuple[Decimal, ...] = DURHAM,
) -> tuple[Payee, SeededPayment]:
    async with payments_conn(env) as conn:
        payee = await build_payee(
            conn, authority_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label=label, costs=amounts
        )
        paid = await seed_payment(
            conn, payee, period_start=period_start, amounts=amounts, status=status, vat_rate=vat_rate
        )
    return payee, paid


async def rows_of(env: Any, payment_id: uuid.UUID | str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The payment's row and its lines' rows, as they stand."""
    async with payments_conn(env) as conn:
        head = await conn.fetchrow(
            "SELECT status, excl_vat, vat, total, version, confirmed_by FROM payments.scheduled_payment"
            " WHERE payment_id = $1",
            uuid.UUID(str(payment_id)),
        )
        lines = await conn.fetch(
            "SELECT line_id, status, excl_vat, vat, total, dispute_reason, dispute_request_id, amended_by,"
            " amend_reason FROM payments.payment_line WHERE payment_id = $1 ORDER BY line_id",
            uuid.UUID(str(payment_id)),
        )
    return dict(head), [dict(r) for r in lines]


async def published(env: Any, routing_key: str, aggregate_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """The payloads of this kind in payments' outbox for the aggregate, oldest first."""
    async with payments_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT body FROM payments.outbox WHERE routing_key = $1 ORDER BY id", routing_key
        )
    envelopes = [json.loads(r["body"]) for r in rows]
    return [e["payload"] for e in envelopes if e["aggregate_id"] == str(aggregate_id)]


async def requests_of(env: Any, organisation_id: uuid.UUID) -> list[dict[str, Any]]:
    async with payments_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT request_id, status, reason, payload FROM payments.decision_request"
            " WHERE organisation_id = $1 ORDER BY created_at",
            organisation_id,
        )
    return [dict(r) for r in rows]


CONFIRMED = "payments.scheduled_payment.confirmed.v1"
DISPUTED = "payments.scheduled_payment.disputed.v1"
REQUEST = "payments.dispute_request.upserted.v1"
