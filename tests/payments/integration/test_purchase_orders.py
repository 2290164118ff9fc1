"""A provider's purchase orders (docs/purchase-orders.md): each order's value and spend to date to the
penny, the filters and the financial year's default, the one-off claims order, the printable document
with the supplier's address and the council's terms."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shared.auth import Role
from tests.payments.integration.po_scenario import build_scenario
from tests.payments.remittance_support import accept_item
from tests.payments.support import (
    API,
    COUNCIL_API,
    bearer,
    build_payee,
    financial_year,
    payments_api,
    payments_conn,
    seed_payment,
)


@pytest.fixture(scope="module")
async def api(env):
    async with payments_api(env) as client:
        yield client


@pytest.fixture(scope="module")
async def durham(env):
    async with payments_conn(env) as conn:
        return await build_scenario(conn, authority_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label="PO")


def provider(env, scenario, **kwargs):
    p = scenario.payee
    return bearer(env.token(authority_id=p.authority_id, organisation_id=p.organisation_id, **kwargs))


async def listed(api, auth, **params):
    answer = await api.get(f"{API}/purchase-orders", params=params, headers=auth)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_each_order_is_worth_its_spend_and_the_rest_of_the_year_to_the_penny(api, env, durham):
    rows = await listed(api, provider(env, durham), financial_year="2019/2020")
    p = durham.payee
    assert [
        (r["title"], r["value"], r["spend_to_date"], r["financial_year"], r["issued_on"]) for r in rows
    ] == [
        ("One-Off Claims - 2019/2020", "64.00", "64.00", "2019/2020", "2019-09-25"),
        (
            f"{p.client_names[1]} ({p.client_references[1]}) - 2019/2020",
            "4025.97",
            "606.06",
            "2019/2020",
            "2019-09-30",
        ),
        (
            f"{p.client_names[0]} ({p.client_references[0]}) - 2019/2020",
            "9293.30",
            "718.50",
            "2019/2020",
            "2019-09-30",
        ),
    ]
    bart = rows[2]
    assert bart["purchase_order_id"] == str(durham.orders[0])
    assert bart["still_to_come"] == {"first": "2019-10-14", "last": "2020-03-31", "amount": "8574.80"}
    assert rows[1]["still_to_come"] == {"first": "2019-10-14", "last": "2019-12-31", "amount": "3419.91"}


async def test_another_year_has_its_own_orders_and_spend(api, env, durham):
    rows = await listed(api, provider(env, durham), financial_year="2020/2021")
    # Paid 6 to 12 April 2020; still to come 13 April 2020 to 31 March 2021: 353 days x 353.08 / 7.
    assert [(r["purchase_order_id"], r["spend_to_date"], r["value"]) for r in rows] == [
        (str(durham.next_year_order), "353.08", "18158.40")
    ]


async def test_the_filters_narrow_the_list_and_leave_the_one_off_claims_order_out(api, env, durham):
    auth, p = provider(env, durham), durham.payee
    by_service = await listed(api, auth, financial_year="2019/2020", service_id=str(p.service_id))
    assert {r["purchase_order_id"] for r in by_service} == {str(o) for o in durham.orders}
    by_client = await listed(api, auth, financial_year="2019/2020", client_id=str(p.client_ids[1]))
    assert [r["purchase_order_id"] for r in by_client] == [str(durham.orders[1])]
    assert await listed(api, auth, financial_year="2019/2020", service_id=str(uuid.uuid4())) == []


async def test_the_current_financial_year_is_the_default(api, env):
    today = datetime.now(ZoneInfo("Europe/London")).date()
    monday = today - timedelta(days=today.weekday())
    async with payments_conn(env) as conn:
        payee = await build_payee(
            conn,
            authority_id=uuid.uuid4(),
            organisation_id=uuid.uuid4(),
            costs=[Decimal("100.00")],
            cpli_start=monday - timedelta(days=7),
        )
        await conn.execute(
            "UPDATE payments.cpli SET end_date = $2 WHERE cpli_id = $1",
            payee.cpli_ids[0],
            monday + timedelta(days=13),
        )
        paid = await seed_payment(
            conn, payee, period_start=monday, amounts=[Decimal("100.00")], status="finalised"
        )
        await seed_payment(
            conn, payee, period_start=date(2019, 9, 30), amounts=[Decimal("1.00")], status="finalised"
        )
    auth = bearer(env.token(authority_id=payee.authority_id, organisation_id=payee.organisation_id))
    rows = await listed(api, auth)
    # Paid this week; the CPLI's last week (7 days) is still to come.
    assert [(r["purchase_order_id"], r["financial_year"], r["spend_to_date"], r["value"]) for r in rows] == [
        (str(paid.purchase_order_ids[0]), financial_year(today), "100.00", "200.00")
    ]
    options = (await api.get(f"{API}/purchase-orders/options", headers=auth)).json()
    assert options["current_year"] == financial_year(today)
    assert options["financial_years"] == [financial_year(today), "2019/2020"]
    assert options["services"] == [
        {
            "service_id": str(payee.service_id),
            "reference": options["services"][0]["reference"],
            "name": options["services"][0]["name"],
        }
    ]
    assert [c["client_id"] for c in options["clients"]] == [str(payee.client_ids[0])]


async def test_an_accepted_claim_item_not_yet_paid_is_in_the_one_off_orders_value_not_its_spend(api, env):
    async with payments_conn(env) as conn:
        scenario = await build_scenario(
            conn, authority_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label="U"
        )
        await accept_item(conn, scenario.payee, amount=Decimal("10.50"), claim_date=date(2019, 11, 1))
        await accept_item(
            conn, scenario.payee, amount=Decimal("99.00"), claim_date=date(2020, 5, 1)
        )  # 2020/2021
    rows = await listed(api, provider(env, scenario), financial_year="2019/2020")
    assert (rows[0]["title"], rows[0]["value"], rows[0]["spend_to_date"]) == (
        "One-Off Claims - 2019/2020",
        "74.50",
        "64.00",
    )


async def test_a_purchase_order_prints_with_the_suppliers_address_and_the_councils_terms(api, env, durham):
    from payments.consumers import SUBSCRIPTIONS
    from shared.events import OrganisationUpserted
    from shared.events.envelope import make_envelope

    p = durham.payee
    event = OrganisationUpserted(
        organisation_id=p.organisation_id,
        authority_id=p.authority_id,
        name="Sausage Sandwich Fostering",
        reference="148",
        active=True,
        address="1 The Gatehouse\nDarlington",
        postcode="DL1 3HA",
        revision=5,
        updated_at=datetime.now().astimezone(),
    )
    (subscription,) = [s for s in SUBSCRIPTIONS if s.payload_type is OrganisationUpserted]
    async with payments_conn(env) as conn:
        envelope = make_envelope(event, aggregate_id=p.organisation_id, authority_id=p.authority_id)
        await subscription.handler(conn, envelope, event)
    council = bearer(env.council_token(p.authority_id))
    put = await api.put(
        f"{COUNCIL_API}/settings",
        json={
            "payment_terms": "30 days",
            "invoice_address": "Durham County Council\nCounty Hall\nDH1 5UL",
            "delivery_address": "Children's Services\nDH1 5UL",
        },
        headers=council,
    )
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 1

    answer = await api.get(f"{API}/purchase-orders/{durham.orders[0]}", headers=provider(env, durham))
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    assert doc["supplier"] == {
        "name": "Sausage Sandwich Fostering",
        "reference": "148",
        "address": "1 The Gatehouse\nDarlington",
        "postcode": "DL1 3HA",
    }
    assert (doc["year_start"], doc["year_end"]) == ("2019-04-01", "2020-03-31")
    assert doc["printed_on"] == datetime.now(ZoneInfo("Europe/London")).date().isoformat()
    assert (doc["payment_terms"], doc["invoice_address"], doc["delivery_address"]) == (
        "30 days",
        "Durham County Council\nCounty Hall\nDH1 5UL",
        "Children's Services\nDH1 5UL",
    )
    assert doc["purchase_order"]["value"] == "9293.30"
    assert (doc["client_name"], doc["client_reference"]) == (p.client_names[0], p.client_references[0])
    assert [
        (line["service_start"], line["service_end"], line["amount"], line["adjustment"], line["pay_date"])
        for line in doc["lines"]
    ] == [
        ("2019-09-23", "2019-09-29", "12.34", True, "2019-10-22"),
        ("2019-09-30", "2019-10-06", "353.08", False, "2019-10-15"),
        ("2019-10-07", "2019-10-13", "353.08", False, "2019-10-22"),
    ]
    assert [line["remittance_id"] for line in doc["lines"]] == [
        str(durham.remittances[1]),
        str(durham.remittances[0]),
        str(durham.remittances[1]),
    ]
    async with payments_conn(env) as conn:
        kept = await conn.fetchrow(
            "SELECT name, revision FROM payments.organisation WHERE organisation_id = $1", p.organisation_id
        )
    assert (kept["name"], kept["revision"]) == ("Sausage Sandwich Fostering", 5)  # both projections applied


async def test_a_purchase_order_without_council_settings_or_address_prints_them_empty(api, env):
    async with payments_conn(env) as conn:
        scenario = await build_scenario(
            conn, authority_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label="E"
        )
    answer = await api.get(f"{API}/purchase-orders/{scenario.one_off}", headers=provider(env, scenario))
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    assert (doc["payment_terms"], doc["invoice_address"], doc["delivery_address"]) == ("", "", "")
    assert (doc["supplier"]["address"], doc["supplier"]["postcode"]) == (None, None)
    assert doc["purchase_order"]["title"] == "One-Off Claims - 2019/2020"
    assert [(line["source"], line["amount"]) for line in doc["lines"]] == [("claim", "64.00")]


@pytest.mark.parametrize("year", ["2019", "2019/2021", "19/20", "2019/2020x", "' OR 1=1", "0000/0001"])
async def test_a_bad_financial_year_is_refused_naming_it(api, env, durham, year):
    for path in ("purchase-orders", "remittances"):
        answer = await api.get(
            f"{API}/{path}", params={"financial_year": year}, headers=provider(env, durham)
        )
        assert answer.status_code == 422, answer.text
        problem = answer.json()
        assert problem["type"].endswith(":invalid-year")
        assert [e["field"] for e in problem["errors"]] == ["financial_year"]


async def test_an_unknown_order_is_not_found_and_a_bad_id_is_refused(api, env, durham):
    auth = provider(env, durham)
    missing = await api.get(f"{API}/purchase-orders/{uuid.uuid4()}", headers=auth)
    assert missing.status_code == 404 and missing.json()["title"] == "Not Found"
    bad = await api.get(f"{API}/purchase-orders/not-an-id", headers=auth)
    assert bad.status_code == 422
    bad_filter = await api.get(f"{API}/purchase-orders", params={"service_id": "nope"}, headers=auth)
    assert bad_filter.status_code == 422


async def test_read_only_finance_reads_and_care_and_the_council_are_refused(api, env, durham):
    reader = provider(env, durham, role=Role.finance, can_edit=False)
    assert (await api.get(f"{API}/purchase-orders/{durham.orders[0]}", headers=reader)).status_code == 200
    assert len(await listed(api, reader, financial_year="2019/2020")) == 3
    care = provider(env, durham, role=Role.care)
    for path in ("purchase-orders", f"purchase-orders/{durham.orders[0]}", "purchase-orders/options"):
        answer = await api.get(f"{API}/{path}", headers=care)
        assert answer.status_code == 403, (path, answer.text)
        assert "purchase orders" in answer.json()["detail"]
    council = bearer(env.council_token(durham.payee.authority_id))
    assert (await api.get(f"{API}/purchase-orders", headers=council)).status_code == 403
    assert (await api.get(f"{API}/purchase-orders")).status_code == 401


async def test_a_contract_or_service_scoped_user_sees_its_own_orders_not_the_organisations_one_off(
    api, env, durham
):
    from shared.auth import Principal, PrincipalKind, ScopeType

    p = durham.payee

    def scoped(scope_type, scope_id, contract_id=None):
        principal = Principal(
            subject="scoped",
            kind=PrincipalKind.user,
            authority_id=p.authority_id,
            organisation_id=p.organisation_id,
            role=Role.finance,
            can_edit=False,
            scope_type=scope_type,
            scope_id=scope_id,
            scope_contract_id=contract_id,
        )
        return bearer(
            env.signing_key.sign(
                principal, issuer="portal-identity", audience="portal-services", ttl_seconds=300
            )
        )

    for auth in (
        scoped(ScopeType.contract, p.contract_id),
        scoped(ScopeType.service, p.service_id, p.contract_id),
    ):
        rows = await listed(api, auth, financial_year="2019/2020")
        assert {r["purchase_order_id"] for r in rows} == {str(o) for o in durham.orders}
        assert (await api.get(f"{API}/purchase-orders/{durham.one_off}", headers=auth)).status_code == 404
        remitted = await api.get(f"{API}/remittances", params={"financial_year": "2019/2020"}, headers=auth)
        assert len(remitted.json()) == 2
    elsewhere = scoped(ScopeType.service, uuid.uuid4(), uuid.uuid4())
    assert await listed(api, elsewhere, financial_year="2019/2020") == []
    assert (await api.get(f"{API}/purchase-orders/{durham.orders[0]}", headers=elsewhere)).status_code == 404
    assert (await api.get(f"{API}/remittances/{durham.remittances[0]}", headers=elsewhere)).status_code == 404
