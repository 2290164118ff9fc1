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


async def test_a_payment_is_read_with_its_lines_only_within_the_callers_scope(env):
    from payments.store.payments import PAYMENT_ROWS, get_payment
    from shared.auth import Principal, PrincipalKind, Role, ScopeType
    from shared.store import Scope

    async with payments_conn(env) as conn:
        payee = await build_payee(conn, authority_id=uuid.uuid4(), organisation_id=uuid.uuid4())
        paid = await seed_payment(
            conn, payee, period_start=date(2019, 9, 30), amounts=[Decimal("353.08"), Decimal("303.03")]
        )

        def caller(organisation_id):
            return Scope.of(
                Principal(
                    subject="u",
                    kind=PrincipalKind.user,
                    authority_id=payee.authority_id,
                    organisation_id=organisation_id,
                    role=Role.finance,
                    can_edit=True,
                    scope_type=ScopeType.organisation,
                    scope_id=organisation_id,
                ),
                PAYMENT_ROWS,
            )

        state = await get_payment(conn, scope=caller(payee.organisation_id), payment_id=paid.payment_id)
        other = await get_payment(conn, scope=caller(uuid.uuid4()), payment_id=paid.payment_id)
    assert other is None
    assert state is not None
    assert (state.status, state.total, state.period_end, state.contract_name) == (
        "unconfirmed",
        Decimal("656.11"),
        date(2019, 10, 6),
        payee.contract_name,
    )
    assert [(line.client_name, line.total) for line in state.lines] == sorted(
        zip(payee.client_names, [Decimal("353.08"), Decimal("303.03")], strict=True)
    )
