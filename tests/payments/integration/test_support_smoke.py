"""The tests' own builder of a scheduled payment (tests.payments.support) writes rows the schema accepts:
the seeds' Durham period of 353.08 + 303.03 = 656.11."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from tests.payments.support import build_payee, payments_conn, seed_payment


async def test_a_seeded_payment_is_the_sum_of_its_lines(env):
    async with payments_conn(env) as conn:
        payee = await build_payee(conn, authority_id=uuid.uuid4(), organisation_id=uuid.uuid4())
        paid = await seed_payment(
            conn, payee, period_start=date(2019, 9, 30), amounts=[Decimal("353.08"), Decimal("303.03")]
        )
        again = await seed_payment(conn, payee, period_start=date(2019, 10, 7), amounts=[Decimal("1.00")])
        total = await conn.fetchval(
            "SELECT total FROM payments.scheduled_payment WHERE payment_id = $1", paid.payment_id
        )
        lines = await conn.fetchval(
            "SELECT sum(total) FROM payments.payment_line WHERE payment_id = $1", paid.payment_id
        )
    assert total == lines == Decimal("656.11")
    assert again.purchase_order_ids[0] == paid.purchase_order_ids[0]  # the client's order for the year
