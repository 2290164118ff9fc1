"""The payments reports' rows (reports.store.sources) from the read model, filled by payments' events:
Pending Scheduled Payments, Pending Payments Exceptions, Remittance Advice, the Annual Statement of
Foster Carer Payments (a tax year across two financial years) and the Purchase Order. Expected figures
are worked out here from the events, not read back from the model; another organisation's or another
authority's ids find nothing."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from reports.store.sources import names_of
from shared.events import ClientUpserted, ContractUpserted
from tests.reports.integration.readmodel import deliver, line, payment, remittance, reports_conn, rows

WEEK = date(2019, 9, 30)


class Provider:
    def __init__(self, authority_id: uuid.UUID | None = None) -> None:
        self.authority_id = authority_id or uuid.uuid4()
        self.organisation_id = uuid.uuid4()
        self.contract_id = uuid.uuid4()

    def pay(self, period_start: date, lines, **options):
        return payment(
            authority_id=self.authority_id,
            organisation_id=self.organisation_id,
            contract_id=self.contract_id,
            period_start=period_start,
            lines=lines,
            **options,
        )

    def contract(self, frequency: str = "weekly") -> ContractUpserted:
        from datetime import UTC, datetime

        return ContractUpserted(
            contract_id=self.contract_id,
            authority_id=self.authority_id,
            organisation_id=self.organisation_id,
            reference="C-FOST-0148",
            name="Sausage Sandwich",
            payment_basis="planned",
            frequency=frequency,
            pays_frustrated=False,
            pays_extras=False,
            vat_registered=False,
            active=True,
            revision=1,
            updated_at=datetime.now(UTC),
        )


async def test_pending_scheduled_payments_lists_every_line_not_finalised(env):
    us, neighbour = Provider(), Provider()
    neighbour.authority_id = us.authority_id  # another provider of the same council
    bart, lisa = uuid.uuid4(), uuid.uuid4()
    unconfirmed = us.pay(
        WEEK,
        [
            line(client_id=bart, client_name="Simpson, Bart", start=WEEK, total="353.08"),
            line(client_id=lisa, client_name="Simpson, Lisa", start=WEEK, total="303.03"),
        ],
    )
    disputed = us.pay(
        WEEK + timedelta(days=7),
        [
            line(
                client_id=bart,
                client_name="Simpson, Bart",
                start=WEEK + timedelta(days=7),
                total="353.08",
                status="disputed",
                reason="Bart left",
            ),
            line(client_id=lisa, client_name="Simpson, Lisa", start=WEEK + timedelta(days=7), total="303.03"),
        ],
        status="disputed",
    )
    finalised = us.pay(
        WEEK - timedelta(days=7),
        [line(client_id=bart, client_name="Simpson, Bart", start=WEEK - timedelta(days=7), total="1.00")],
        status="finalised",
    )
    theirs = neighbour.pay(
        WEEK, [line(client_id=uuid.uuid4(), client_name="Other", start=WEEK, total="9.99")]
    )
    await deliver(env, us.contract(), neighbour.contract(), unconfirmed, disputed, finalised, theirs)

    expected = [
        ("Simpson, Bart", WEEK, "Unconfirmed", Decimal("353.08")),
        ("Simpson, Lisa", WEEK, "Unconfirmed", Decimal("303.03")),
        ("Simpson, Bart", WEEK + timedelta(days=7), "Disputed", Decimal("353.08")),
        ("Simpson, Lisa", WEEK + timedelta(days=7), "Disputed", Decimal("303.03")),
    ]
    mine = await rows(
        env, "pending-scheduled-payments", authority_id=us.authority_id, organisation_id=us.organisation_id
    )
    assert [(r["client"], r["period_start"], r["status"], r["amount"]) for r in mine] == expected
    assert mine[0] == {
        "contract": "Sausage Sandwich",
        "client": "Simpson, Bart",
        "service": "Commissioned care",
        "period_start": WEEK,
        "period_end": WEEK + timedelta(days=6),
        "pay_date": WEEK + timedelta(days=14),
        "status": "Unconfirmed",
        "amount": Decimal("353.08"),
    }
    assert sum(r["amount"] for r in mine) == Decimal("1312.22")
    # The council sees both providers; choosing one narrows it.
    council = await rows(env, "pending-scheduled-payments", authority_id=us.authority_id)
    assert len(council) == 5
    chosen = await rows(
        env,
        "pending-scheduled-payments",
        authority_id=us.authority_id,
        organisation_id=us.organisation_id,
        contract_id=us.contract_id,
        payment_method="Scheduled Weekly Net",
    )
    assert chosen == mine
    assert (
        await rows(
            env,
            "pending-scheduled-payments",
            authority_id=us.authority_id,
            payment_method="Scheduled 4 Weekly Net",
            contract_id=us.contract_id,
        )
        == []
    )
    # A provider asking for another's organisation, or another authority's run: nothing.
    assert (
        await rows(
            env,
            "pending-scheduled-payments",
            authority_id=us.authority_id,
            organisation_id=us.organisation_id,
            contract_id=neighbour.contract_id,
        )
        == []
    )
    assert (
        await rows(env, "pending-scheduled-payments", authority_id=uuid.uuid4(), contract_id=us.contract_id)
        == []
    )


async def test_an_unknown_payment_method_is_refused(env):
    with pytest.raises(ValueError, match="no payment method called 'Cash'"):
        await rows(env, "pending-scheduled-payments", authority_id=uuid.uuid4(), payment_method="Cash")


async def test_exceptions_are_unconfirmed_disputed_and_held_lines_not_paid_since(env):
    us = Provider()
    bart, lisa = uuid.uuid4(), uuid.uuid4()
    w1, w2, w3 = WEEK, WEEK + timedelta(days=7), WEEK + timedelta(days=14)
    held_lisa = line(
        client_id=lisa,
        client_name="Simpson, Lisa",
        start=w1,
        total="303.03",
        status="held",
        reason="Lisa was in hospital",
    )
    held_bart = line(
        client_id=bart,
        client_name="Simpson, Bart",
        start=w1,
        total="353.08",
        status="held",
        reason="Wrong rate",
    )
    first = us.pay(w1, [held_bart, held_lisa], status="finalised")
    # The next run paid Bart's held week (the dispute resolved); Lisa's is still held.
    repaid = line(client_id=bart, client_name="Simpson, Bart", start=w1, total="353.08")
    second = us.pay(
        w2,
        [repaid, line(client_id=bart, client_name="Simpson, Bart", start=w2, total="353.08")],
        status="finalised",
    )
    third = us.pay(
        w3,
        [
            line(
                client_id=bart,
                client_name="Simpson, Bart",
                start=w3,
                total="353.08",
                status="disputed",
                reason="Bart left on 3 October",
            ),
            line(client_id=lisa, client_name="Simpson, Lisa", start=w3, total="303.03"),
        ],
        status="disputed",
    )
    fourth = us.pay(
        w3 + timedelta(days=7),
        [
            line(client_id=lisa, client_name="Simpson, Lisa", start=w3 + timedelta(days=7), total="303.03"),
        ],
    )
    await deliver(env, us.contract(), first, second, third, fourth)
    got = await rows(
        env, "pending-payments-exceptions", authority_id=us.authority_id, organisation_id=us.organisation_id
    )
    assert [(r["client"], r["period_start"], r["status"], r["reason"], r["amount"]) for r in got] == [
        ("Simpson, Lisa", w1, "On hold", "Lisa was in hospital", Decimal("303.03")),
        ("Simpson, Bart", w3, "Disputed", "Bart left on 3 October", Decimal("353.08")),
        (
            "Simpson, Lisa",
            w3 + timedelta(days=7),
            "Unconfirmed",
            "Not confirmed by the provider yet",
            Decimal("303.03"),
        ),
    ]


async def test_remittance_advice_line_by_line_and_in_summary(env):
    us = Provider()
    bart, lisa = uuid.uuid4(), uuid.uuid4()
    state = us.pay(
        WEEK,
        [
            line(client_id=bart, client_name="Simpson, Bart", start=WEEK, total="353.08"),
            line(client_id=lisa, client_name="Simpson, Lisa", start=WEEK, total="303.03"),
            line(
                client_id=lisa,
                client_name="Simpson, Lisa",
                start=WEEK + timedelta(days=2),
                days=3,
                total="38.70",
                source="claim",
            ),
            line(client_id=bart, client_name="Simpson, Bart", start=WEEK, total="99.99", status="held"),
        ],
        status="finalised",
    )
    other_week = us.pay(
        WEEK + timedelta(days=7),
        [line(client_id=bart, client_name="Simpson, Bart", start=WEEK + timedelta(days=7), total="1.00")],
        status="finalised",
    )
    issued = remittance(state)
    await deliver(env, us.contract(), state, other_week, issued, remittance(other_week))
    got = await rows(
        env,
        "remittance-advice",
        authority_id=us.authority_id,
        organisation_id=us.organisation_id,
        contract_id=us.contract_id,
        payment_method="Scheduled Weekly Net",
        period_start=WEEK,
        summary=False,
    )
    paid = [x for x in state.lines if x.status == "payable"]
    assert [
        (
            r["client"],
            r["service"],
            r["period_start"],
            r["period_end"],
            r["quantity"],
            r["net"],
            r["vat"],
            r["gross"],
        )
        for r in got
    ] == [
        (
            x.client_name,
            {"planned": "Commissioned care", "claim": "One-off claim"}[x.source],
            x.service_start,
            x.service_end,
            (x.service_end - x.service_start).days + 1,
            x.excl_vat,
            x.vat,
            x.total,
        )
        for x in paid
    ]
    assert sum(r["gross"] for r in got) == Decimal("694.81")
    assert {(r["remittance_id"], r["remittance_reference"], r["pay_date"]) for r in got} == {
        (issued.remittance_id, issued.reference, issued.pay_date)
    }
    summary = await rows(
        env,
        "remittance-advice",
        authority_id=us.authority_id,
        contract_id=us.contract_id,
        period_start=WEEK,
        summary=True,
    )
    assert summary == [
        {
            "client": "",
            "service": "Sausage Sandwich",
            "period_start": WEEK,
            "period_end": WEEK + timedelta(days=6),
            "quantity": 3,
            "net": Decimal("694.81"),
            "vat": Decimal("0.00"),
            "gross": Decimal("694.81"),
        }
    ]
    by_id = await rows(
        env,
        "remittance-advice",
        authority_id=us.authority_id,
        organisation_id=us.organisation_id,
        remittance_id=issued.remittance_id,
    )
    assert by_id == got
    # The document's header names the remittance by its reference and pay date, never by its id; another
    # authority reads nothing of it.
    async with reports_conn(env) as conn:
        params = {"remittance_id": issued.remittance_id}
        assert await names_of(conn, authority_id=us.authority_id, params=params) == {
            "remittance_id": f"{issued.reference}, paid {issued.pay_date.day} {issued.pay_date:%B %Y}"
        }
        assert await names_of(conn, authority_id=uuid.uuid4(), params=params) == {}
    # Another authority's run, or another organisation's, finds nothing with the same ids.
    assert (
        await rows(env, "remittance-advice", authority_id=uuid.uuid4(), remittance_id=issued.remittance_id)
        == []
    )
    assert (
        await rows(
            env,
            "remittance-advice",
            authority_id=us.authority_id,
            organisation_id=uuid.uuid4(),
            remittance_id=issued.remittance_id,
        )
        == []
    )
    with pytest.raises(ValueError, match="of a contract's period, or of one remittance"):
        await rows(env, "remittance-advice", authority_id=us.authority_id, period_start=WEEK)


async def test_the_annual_statement_over_a_tax_year_across_two_financial_years(env):
    from datetime import UTC, datetime

    us = Provider()
    bart, lisa = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    children = [
        ClientUpserted(
            client_id=bart,
            authority_id=us.authority_id,
            reference="C1",
            name="Simpson, Bart",
            date_of_birth=date(2010, 4, 1),
            revision=1,
            updated_at=now,
        ),
        ClientUpserted(
            client_id=lisa,
            authority_id=us.authority_id,
            reference="C2",
            name="Simpson, Lisa",
            date_of_birth=date(2012, 5, 9),
            revision=1,
            updated_at=now,
        ),
    ]

    # Tax year 2019/20: 6 April 2019 to 5 April 2020 (financial years 2019/20 and 2020/21).
    def weekly(start: date, pay: date, *extra):
        state = us.pay(
            start,
            [
                line(client_id=bart, client_name="Simpson, Bart", start=start, total="353.08"),
                line(client_id=lisa, client_name="Simpson, Lisa", start=start, total="303.03"),
                *extra,
            ],
            status="finalised",
        )
        return state, remittance(state, pay_date=pay)

    before = weekly(date(2019, 3, 25), date(2019, 4, 5))  # paid the day before: last tax year
    first = weekly(date(2019, 3, 25) + timedelta(days=7), date(2019, 4, 6))  # its days partly in March
    mileage = line(
        client_id=lisa,
        client_name="Simpson, Lisa",
        start=date(2020, 3, 30),
        days=1,
        total="38.70",
        source="claim",
    )
    overlap = line(
        client_id=bart, client_name="Simpson, Bart", start=date(2020, 3, 30), days=3, total="-50.00"
    )  # a take-back: money, not days
    last = weekly(date(2020, 3, 23), date(2020, 4, 3), mileage, overlap)  # financial year 2020/21
    after = weekly(date(2020, 3, 30), date(2020, 4, 6))  # next tax year
    for state, issued in (before, first, last, after):
        await deliver(env, state, issued)
    await deliver(env, *children)

    counted = [first, last]
    expected = []
    for child, name, born in (
        (bart, "Simpson, Bart", date(2010, 4, 1)),
        (lisa, "Simpson, Lisa", date(2012, 5, 9)),
    ):
        paid = [x for _, r in counted for x in r.lines if x.client_id == child]
        days = {
            x.service_start + timedelta(days=n)
            for x in paid
            if x.source != "claim" and x.total > 0
            for n in range((x.service_end - x.service_start).days + 1)
        }
        non_taxable = sum((x.total for x in paid if x.source != "claim"), Decimal("0"))
        taxable = sum((x.total for x in paid if x.source == "claim"), Decimal("0"))
        expected.append(
            {
                "child": name,
                "date_of_birth": born,
                "days_of_care": len(days),
                "non_taxable": non_taxable,
                "taxable": taxable,
                "total": non_taxable + taxable,
            }
        )
    got = await rows(
        env,
        "annual-statement-foster-carer",
        authority_id=us.authority_id,
        organisation_id=us.organisation_id,
        tax_year=2019,
    )
    assert got == expected
    assert [(r["days_of_care"], r["non_taxable"], r["taxable"], r["total"]) for r in got] == [
        (14, Decimal("656.16"), Decimal("0"), Decimal("656.16")),
        (14, Decimal("606.06"), Decimal("38.70"), Decimal("644.76")),
    ]
    assert (
        await rows(
            env,
            "annual-statement-foster-carer",
            authority_id=us.authority_id,
            organisation_id=uuid.uuid4(),
            tax_year=2019,
        )
        == []
    )


async def test_the_purchase_order_lists_what_finalised_runs_paid_on_it(env):
    us = Provider()
    order, other_order, bart = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    w1, w2 = WEEK, WEEK + timedelta(days=7)
    paid1 = us.pay(
        w1,
        [
            line(
                client_id=bart, client_name="Simpson, Bart", start=w1, total="353.08", purchase_order_id=order
            ),
            line(
                client_id=bart,
                client_name="Simpson, Bart",
                start=w1,
                total="5.00",
                purchase_order_id=other_order,
            ),
            line(
                client_id=bart,
                client_name="Simpson, Bart",
                start=w1,
                total="7.00",
                purchase_order_id=order,
                status="held",
            ),
        ],
        status="finalised",
    )
    paid2 = us.pay(
        w2,
        [
            # VAT registered by now: the order counts the amount before VAT, as its page does
            line(
                client_id=bart,
                client_name="Simpson, Bart",
                start=w2,
                total="423.70",
                vat="70.62",
                purchase_order_id=order,
            )
        ],
        status="finalised",
    )
    pending = us.pay(
        w2 + timedelta(days=7),
        [
            line(
                client_id=bart,
                client_name="Simpson, Bart",
                start=w2 + timedelta(days=7),
                total="353.08",
                purchase_order_id=order,
            )
        ],
    )
    await deliver(env, paid1, paid2, pending)
    got = await rows(
        env,
        "purchase-order",
        authority_id=us.authority_id,
        organisation_id=us.organisation_id,
        purchase_order_id=order,
    )
    columns = ("client", "contract", "start_date", "end_date", "quantity", "amount")
    assert [{k: r[k] for k in columns} for r in got] == [
        {
            "client": "Simpson, Bart",
            "contract": "Sausage Sandwich",
            "start_date": w,
            "end_date": w + timedelta(days=6),
            "quantity": 7,
            "amount": Decimal("353.08"),
        }
        for w in (w1, w2)
    ]
    # Each row carries the order's heading block (one document: the same order on every row).
    assert {(r["purchase_order_id"], r["purchase_order_number"], r["supplier_name"]) for r in got} == {
        (order, "PO-2019-1-1", "Sausage Sandwich Fostering")
    }
    assert await rows(env, "purchase-order", authority_id=uuid.uuid4(), purchase_order_id=order) == []
    # Its header names it by its number; another authority's reads nothing of it.
    async with reports_conn(env) as conn:
        params = {"purchase_order_id": order, "contract_id": us.contract_id}
        assert await names_of(conn, authority_id=us.authority_id, params=params) == {
            "purchase_order_id": "PO-2019-1-1"  # the contract is not in the read model: left as its id
        }
        assert await names_of(conn, authority_id=uuid.uuid4(), params=params) == {}
