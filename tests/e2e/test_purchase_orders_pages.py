"""The Purchase Orders and remittance pages through the real gateway and payments service: the home
card, the list with the seed's columns to the penny (the current year by default, 2019/2020 chosen,
filtered by client), a purchase order's printable page with the provider's address and the council's
terms, remittance advice by finalisation and by period with its adjustment line, Download Data, and the
refusals (another provider's ids, Care role, no council settings)."""

from __future__ import annotations

import csv
import io
import re
import uuid

import httpx

from tests.payments.support import payments_conn
from tests.support.actuals_pages import pages_client
from tests.support.claims_pages import cells
from tests.support.identity import portal_tenant
from tests.support.inprocess import eventually
from tests.support.purchase_orders_pages import orders_provider


async def test_the_list_shows_each_order_with_value_and_spend_for_the_year_chosen(stack):
    provider = await orders_provider(stack, role="finance")
    names = provider.scenario.payee.client_names
    refs = provider.scenario.payee.client_references
    async with await pages_client(stack, provider.user) as client:
        home = await client.get(f"/{provider.tenant.slug}/home")
        assert f'href="{provider.orders}">Purchase Orders<' in home.text
        current = await client.get(provider.orders)
        assert current.status_code == 200, current.text[:500]
        assert 'id="no-purchase-orders"' in current.text  # nothing in the current year
        page = await client.get(provider.orders, params={"financial_year": "2019/2020"})
        assert page.status_code == 200
        assert cells(page.text, "purchase-orders") == [
            ["One-Off Claims - 2019/2020", "£64.00", "£64.00", "2019/2020", "25/09/2019"],
            [f"{names[1]} ({refs[1]}) - 2019/2020", "£4,025.97", "£606.06", "2019/2020", "30/09/2019"],
            [f"{names[0]} ({refs[0]}) - 2019/2020", "£9,293.30", "£718.50", "2019/2020", "30/09/2019"],
        ]
        assert f'href="{provider.remittances}"' in page.text
        one = await client.get(
            provider.orders,
            params={"financial_year": "2019/2020", "client_id": str(provider.scenario.payee.client_ids[0])},
        )
        assert [row[0] for row in cells(one.text, "purchase-orders")] == [
            f"{names[0]} ({refs[0]}) - 2019/2020"
        ]


async def test_a_purchase_order_prints_the_addresses_terms_and_lines(stack):
    provider = await orders_provider(stack)
    order = provider.scenario.orders[0]
    async with await pages_client(stack, provider.user) as client:
        page = await client.get(f"{provider.orders}/{order}")
        assert page.status_code == 200, page.text[:500]
        html = page.text
        assert "1 The Gatehouse<br>Darlington<br>DL1 3HA" in html
        assert "30 days from receipt of invoice" in html
        assert "Durham County Council<br>County Hall<br>Durham" in html
        assert "01/04/2019 - 31/03/2020" in html
        assert cells(html, "order-lines") == [
            ["23/09/2019 - 29/09/2019 (adjustment)", "22/10/2019 remittance advice", "£12.34"],
            ["30/09/2019 - 06/10/2019", "15/10/2019 remittance advice", "£353.08"],
            ["07/10/2019 - 13/10/2019", "22/10/2019 remittance advice", "£353.08"],
            ["Still to come if the placement continues: 14/10/2019 - 31/03/2020", "Projected", "£8,574.80"],
        ]
        assert re.search(r'id="spend-to-date">£718.50<', html) and re.search(
            r'id="order-value">£9,293.30<', html
        )
        assert "Close and return to list" in html


async def test_without_council_settings_the_order_says_not_given(stack):
    provider = await orders_provider(stack, slug="telford-wrekin", settings=False)
    async with await pages_client(stack, provider.user) as client:
        page = await client.get(f"{provider.orders}/{provider.scenario.one_off}")
        assert page.status_code == 200
        for field in ("invoice-address", "delivery-address"):
            assert re.search(rf'id="{field}">Not given<', page.text), field
        assert "One-Off Claims - 2019/2020" in page.text


async def test_remittance_advice_by_finalisation_and_by_period_and_its_data(stack):
    provider = await orders_provider(stack, role="finance", can_edit=False)
    payee = provider.scenario.payee
    remittance = provider.scenario.remittances[1]
    async with await pages_client(stack, provider.user) as client:
        listing = await client.get(provider.remittances, params={"financial_year": "2019/2020"})
        assert listing.status_code == 200
        rows = cells(listing.text, "remittances")
        assert [(r[2], r[3], r[4]) for r in rows] == [
            ("07/10/2019 - 13/10/2019 (all lines paid in this period)", "22/10/2019", "£732.45"),
            ("30/09/2019 - 06/10/2019 (all lines paid in this period)", "15/10/2019", "£656.11"),
        ]
        page = await client.get(f"{provider.remittances}/{remittance}")
        assert page.status_code == 200
        lines = cells(page.text, "remittance-lines")
        assert [(r[0], r[2], r[5]) for r in lines] == [
            (f"{payee.client_names[1]} ({payee.client_references[1]})", "07/10/2019 - 13/10/2019", "£303.03"),
            (
                f"{payee.client_names[0]} ({payee.client_references[0]})",
                "23/09/2019 - 29/09/2019 Adjustment",
                "£12.34",
            ),
            (f"{payee.client_names[0]} ({payee.client_references[0]})", "07/10/2019 - 13/10/2019", "£353.08"),
            ("One-off claim", "20/09/2019 - 20/09/2019", "£64.00"),
        ]
        assert re.search(r'id="remittance-total">£732.45<', page.text)
        period = await client.get(
            f"{provider.remittances}/by-period",
            params={"contract_id": str(payee.contract_id), "period_start": "2019-10-07"},
        )
        assert period.status_code == 200 and len(cells(period.text, "remittance-lines")) == 4
        data = await client.get(f"{provider.remittances}/{remittance}/lines.csv")
        assert data.status_code == 200 and data.headers["content-type"].startswith("text/csv")
        assert "attachment" in data.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(data.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["Contract", "Remittance", "Pay Date"] and len(rows) == 5
        assert sorted(r[-1] for r in rows[1:]) == ["12.34", "303.03", "353.08", "64.00"]


async def test_other_providers_ids_are_not_found_and_care_is_refused(stack):
    mine = await orders_provider(stack)
    theirs = await orders_provider(stack)
    async with await pages_client(stack, mine.user) as client:
        for path in (
            f"{mine.orders}/{theirs.scenario.orders[0]}",
            f"{mine.orders}/{uuid.uuid4()}",
            f"{mine.orders}/not-an-id",
            f"{mine.remittances}/{theirs.scenario.remittances[0]}",
            f"{mine.remittances}/{theirs.scenario.remittances[0]}/lines.csv",
            f"{mine.remittances}/by-period?contract_id={theirs.scenario.payee.contract_id}&period_start=2019-10-07",
        ):
            answer = await client.get(path)
            assert answer.status_code == 404, (path, answer.status_code)
            assert "Page not found" in answer.text
            assert theirs.scenario.payee.client_names[0] not in answer.text
        bad_year = await client.get(mine.orders, params={"financial_year": "2019/2021"})
        assert bad_year.status_code == 422 and "is not a financial year such as 2019/2020" in bad_year.text
    care = await orders_provider(stack, role="care")
    async with await pages_client(stack, care.user) as client:
        for path in (
            care.orders,
            f"{care.orders}/{care.scenario.orders[0]}",
            f"{care.remittances}/{care.scenario.remittances[0]}",
        ):
            answer = await client.get(path)
            assert answer.status_code == 403, (path, answer.status_code)


async def test_the_organisations_address_reaches_payments_from_identitys_event(stack):
    """identity.organisation.upserted.v1 through the real broker fills both of payments' projections of
    it: the shared organisation list and the supplier's address a purchase order prints."""
    tenant = await portal_tenant(stack.env, "durham-childrens")
    council = {"authorization": f"Bearer {stack.env.council_token(tenant.authority_id)}"}
    reference = f"PO{uuid.uuid4().hex[:6].upper()}"
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        created = await client.put(
            "/council/v1/identity/organisations",
            json={
                "reference": reference,
                "name": "Gatehouse Fostering",
                "address": "1 The Gatehouse\nDarlington",
                "postcode": "DL1 3HA",
            },
            headers=council,
        )
        assert created.status_code == 200, created.text
    organisation_id = uuid.UUID(created.json()["organisation_id"])

    async def projected():
        async with payments_conn(stack.env) as conn:
            return await conn.fetchrow(
                "SELECT o.name, s.address, s.postcode FROM payments.organisation o"
                " JOIN payments.supplier s USING (organisation_id) WHERE organisation_id = $1",
                organisation_id,
            )

    row = await eventually(projected, timeout=15)
    assert dict(row) == {
        "name": "Gatehouse Fostering",
        "address": "1 The Gatehouse\nDarlington",
        "postcode": "DL1 3HA",
    }
