"""The Durham scenario the purchase order and remittance tests share (seed 004): one provider with two
fostered children at 353.08 and 303.03 a week, two finalised weeks (one with an adjustment for an older
week, a held line and a one-off claim of 64.00), a week not yet finalised, and a week of the next year.

Client 0's order, 2019/2020: paid 353.08 + 353.08 + 12.34 (adjustment) = 718.50; still to come 14 October
2019 to 31 March 2020, 170 days x 353.08 / 7 = 8,574.80; value 9,293.30.
Client 1's order: paid 303.03 x 2 = 606.06; CPLI ends 31 December 2019: 79 days x 303.03 / 7 = 3,419.91;
value 4,025.97. One-off claims 2019/2020: 64.00 paid, value 64.00.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tests.payments.remittance_support import accept_item, add_line, issue_remittance, one_off_order
from tests.payments.support import Payee, build_payee, seed_payment

WEEKLY = [Decimal("353.08"), Decimal("303.03")]


@dataclass
class Scenario:
    payee: Payee
    orders: list[uuid.UUID]  # client 0's, client 1's (2019/2020)
    next_year_order: uuid.UUID
    one_off: uuid.UUID
    remittances: list[uuid.UUID]  # week of 30 September, week of 7 October
    adjustment_line: uuid.UUID
    held_line: uuid.UUID


async def build_scenario(
    conn, *, authority_id: uuid.UUID, organisation_id: uuid.UUID, label: str = "", **ids: uuid.UUID
) -> Scenario:
    payee = await build_payee(
        conn,
        authority_id=authority_id,
        organisation_id=organisation_id,
        label=label,
        costs=WEEKLY,
        client_names=[f"Simpson, Bart {label}".strip(), f"Daily, Arthur {label}".strip()],
        **ids,
    )
    await conn.execute(
        "UPDATE payments.cpli SET end_date = '2019-12-31' WHERE cpli_id = $1", payee.cpli_ids[1]
    )
    # An unauthorised CPLI of client 0 is no projection.
    await conn.execute(
        """
        INSERT INTO payments.cpli
        SELECT $1, authority_id, organisation_id, contract_id, service_id, client_id, client_reference,
               service_level_id, 'UNAUTH', care_package_ref, start_date, end_date, 1000.00, frequency, false,
               revision, updated_at
          FROM payments.cpli WHERE cpli_id = $2
        """,
        uuid.uuid4(),
        payee.cpli_ids[0],
    )
    first = await seed_payment(
        conn, payee, period_start=date(2019, 9, 30), amounts=WEEKLY, status="finalised"
    )
    second = await seed_payment(
        conn, payee, period_start=date(2019, 10, 7), amounts=WEEKLY, status="finalised"
    )
    adjustment = await add_line(conn, payee, second, service_start=date(2019, 9, 23), amount=Decimal("12.34"))
    held = await add_line(
        conn, payee, second, service_start=date(2019, 9, 16), amount=Decimal("99.99"), status="held"
    )
    one_off = await one_off_order(conn, payee, year="2019/2020", issued_on=date(2019, 9, 25))
    item = await accept_item(conn, payee, amount=Decimal("64.00"), claim_date=date(2019, 9, 20))
    await add_line(
        conn,
        payee,
        second,
        service_start=date(2019, 9, 20),
        days=1,
        amount=Decimal("64.00"),
        adjustment=False,
        purchase_order_id=one_off,
        source="claim",
        source_key=f"claim:{item}",
    )
    await seed_payment(conn, payee, period_start=date(2019, 10, 14), amounts=WEEKLY)  # not finalised
    later = await seed_payment(
        conn, payee, period_start=date(2020, 4, 6), amounts=WEEKLY[:1], status="finalised"
    )
    remittances = [
        await issue_remittance(conn, payee, first, reference=f"RA-{label}-1-{uuid.uuid4().hex[:4]}"),
        await issue_remittance(conn, payee, second, reference=f"RA-{label}-2-{uuid.uuid4().hex[:4]}"),
    ]
    payee.extra.update(
        {f"remittance{n}": str(r) for n, r in enumerate(remittances)}
        | {f"order{n}": str(o) for n, o in enumerate(first.purchase_order_ids)}
        | {"one_off": str(one_off)}
    )
    return Scenario(
        payee=payee,
        orders=first.purchase_order_ids,
        next_year_order=later.purchase_order_ids[0],
        one_off=one_off,
        remittances=remittances,
        adjustment_line=adjustment,
        held_line=held,
    )
