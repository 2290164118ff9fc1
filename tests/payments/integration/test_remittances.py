"""Remittance advice (docs/purchase-orders.md): by finalisation (one run's payment of a contract) and by
period (every line paid in a payment period, an adjustment for an older service period included), the
lines as CSV safe from formula injection, the council's list and settings, and every refusal."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from decimal import Decimal

import pytest

from shared.auth import Role
from tests.payments.integration.po_scenario import build_scenario
from tests.payments.remittance_support import issue_remittance
from tests.payments.support import (
    API,
    COUNCIL_API,
    bearer,
    build_payee,
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
        return await build_scenario(conn, authority_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label="RA")


def provider(env, scenario, **kwargs):
    p = scenario.payee
    return bearer(env.token(authority_id=p.authority_id, organisation_id=p.organisation_id, **kwargs))


async def test_the_years_remittances_newest_first(api, env, durham):
    auth = provider(env, durham)
    answer = await api.get(f"{API}/remittances", params={"financial_year": "2019/2020"}, headers=auth)
    assert answer.status_code == 200, answer.text
    rows = answer.json()
    assert [(r["remittance_id"], r["period"], r["pay_date"], r["total"]) for r in rows] == [
        (str(durham.remittances[1]), {"start": "2019-10-07", "end": "2019-10-13"}, "2019-10-22", "732.45"),
        (str(durham.remittances[0]), {"start": "2019-09-30", "end": "2019-10-06"}, "2019-10-15", "656.11"),
    ]
    assert rows[0]["contract"]["contract_id"] == str(durham.payee.contract_id)
    by_contract = await api.get(
        f"{API}/remittances",
        params={"financial_year": "2019/2020", "contract_id": str(uuid.uuid4())},
        headers=auth,
    )
    assert by_contract.json() == []
    # The current year (the default) has none of 2019's.
    assert (await api.get(f"{API}/remittances", headers=auth)).json() == []


async def test_a_remittance_by_finalisation_holds_its_payable_lines_with_client_and_period(api, env, durham):
    p = durham.payee
    answer = await api.get(f"{API}/remittances/{durham.remittances[1]}", headers=provider(env, durham))
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    assert (doc["excl_vat"], doc["vat"], doc["total"]) == ("732.45", "0.00", "732.45")
    lines = [
        (line["client_name"], line["service_period"]["start"], line["adjustment"], line["total"])
        for line in doc["lines"]
    ]
    assert lines == [
        (p.client_names[1], "2019-10-07", False, "303.03"),
        (p.client_names[0], "2019-09-23", True, "12.34"),  # an older week, paid in this period
        (p.client_names[0], "2019-10-07", False, "353.08"),
        (None, "2019-09-20", False, "64.00"),  # the one-off claim
    ]
    assert str(durham.held_line) not in answer.text  # held: not paid, not on the advice
    assert sum(Decimal(line["total"]) for line in doc["lines"]) == Decimal(doc["total"])


async def test_a_finalised_payment_names_its_remittance_and_an_unfinalised_one_none(api, env, durham):
    auth = provider(env, durham)
    async with payments_conn(env) as conn:
        payments = dict(
            await conn.fetch(
                "SELECT p.start_date, s.payment_id FROM payments.scheduled_payment s"
                " JOIN payments.period p USING (period_id) WHERE s.contract_id = $1",
                durham.payee.contract_id,
            )
        )
        references = dict(await conn.fetch("SELECT remittance_id, reference FROM payments.remittance"))
    paid = await api.get(f"{API}/scheduled-payments/{payments[date(2019, 10, 7)]}", headers=auth)
    assert paid.status_code == 200, paid.text
    assert paid.json()["remittance"] == {
        "remittance_id": str(durham.remittances[1]),
        "reference": references[durham.remittances[1]],
    }
    not_yet = await api.get(f"{API}/scheduled-payments/{payments[date(2019, 10, 14)]}", headers=auth)
    assert not_yet.json()["status"] == "unconfirmed"
    assert not_yet.json()["remittance"] is None


async def test_by_period_an_adjustment_shows_in_the_period_that_paid_it(api, env, durham):
    auth, p = provider(env, durham), durham.payee
    answer = await api.get(
        f"{API}/remittances/by-period",
        params={"contract_id": str(p.contract_id), "period_start": "2019-10-07"},
        headers=auth,
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["period"] == {"start": "2019-10-07", "end": "2019-10-13"}
    assert found["total"] == "732.45"
    assert [r["remittance_id"] for r in found["remittances"]] == [str(durham.remittances[1])]
    assert str(durham.adjustment_line) in {line["line_id"] for line in found["lines"]}
    # The older service period's own payment period has no remittance: the adjustment is not shown there.
    older = await api.get(
        f"{API}/remittances/by-period",
        params={"contract_id": str(p.contract_id), "period_start": "2019-09-23"},
        headers=auth,
    )
    assert older.status_code == 404
    missing = await api.get(
        f"{API}/remittances/by-period", params={"contract_id": str(p.contract_id)}, headers=auth
    )
    assert missing.status_code == 422 and "period_start" in missing.text


async def test_download_data_is_one_row_per_line(api, env, durham):
    p = durham.payee
    answer = await api.get(
        f"{API}/remittances/{durham.remittances[0]}/lines.csv", headers=provider(env, durham)
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="remittance-RA-RA-1-')
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Contract", "Remittance", "Pay Date", "Client Ref", "Client Name", "Purchase Order",
        "Service From", "Service To", "Adjustment", "Excl VAT", "VAT", "Total",
    ]  # fmt: skip
    contract = rows[1][0]
    assert contract.endswith(p.contract_name)
    assert [r[2:] for r in rows[1:]] == [
        ["15/10/2019", p.client_references[1], p.client_names[1], r1_po(rows, 1), "30/09/2019", "06/10/2019", "No", "303.03", "0.00", "303.03"],
        ["15/10/2019", p.client_references[0], p.client_names[0], r1_po(rows, 2), "30/09/2019", "06/10/2019", "No", "353.08", "0.00", "353.08"],
    ]  # fmt: skip


def r1_po(rows, n):
    assert rows[n][5].startswith("PO-")
    return rows[n][5]


async def test_download_data_quotes_cells_a_spreadsheet_would_run(api, env):
    names = ['=HYPERLINK("http://evil","x")', "@SUM(A1)"]
    async with payments_conn(env) as conn:
        payee = await build_payee(
            conn, authority_id=uuid.uuid4(), organisation_id=uuid.uuid4(), client_names=names
        )
        await conn.execute(
            "UPDATE payments.client SET reference = '+4412' WHERE client_id = $1", payee.client_ids[0]
        )
        await conn.execute(
            "UPDATE payments.contract SET reference = '-1' WHERE contract_id = $1", payee.contract_id
        )
        paid = await seed_payment(
            conn,
            payee,
            period_start=date(2019, 9, 30),
            amounts=[Decimal("1.00"), Decimal("2.00")],
            status="finalised",
        )
        remittance = await issue_remittance(conn, payee, paid, reference="=cmd|x")
    auth = bearer(env.token(authority_id=payee.authority_id, organisation_id=payee.organisation_id))
    answer = await api.get(f"{API}/remittances/{remittance}/lines.csv", headers=auth)
    assert answer.status_code == 200, answer.text
    assert 'filename="remittance--cmd-x.csv"' in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))[1:]
    by_name = {r[4]: r for r in rows}
    assert set(by_name) == {"'" + names[0], "'" + names[1]}
    bad = by_name["'" + names[0]]
    assert (bad[0][:3], bad[1], bad[3]) == ("'-1", "'=cmd|x", "'+4412")
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


async def test_unknown_remittances_are_not_found_and_roles_are_checked(api, env, durham):
    auth = provider(env, durham)
    for path in (f"remittances/{uuid.uuid4()}", f"remittances/{uuid.uuid4()}/lines.csv"):
        answer = await api.get(f"{API}/{path}", headers=auth)
        assert answer.status_code == 404, (path, answer.text)
    assert (await api.get(f"{API}/remittances/nope", headers=auth)).status_code == 422
    reader = provider(env, durham, role=Role.finance, can_edit=False)
    assert (await api.get(f"{API}/remittances/{durham.remittances[0]}", headers=reader)).status_code == 200
    assert (
        await api.get(f"{API}/remittances/{durham.remittances[0]}/lines.csv", headers=reader)
    ).status_code == 200
    care = provider(env, durham, role=Role.care)
    for path in (
        "remittances",
        f"remittances/{durham.remittances[0]}",
        f"remittances/{durham.remittances[0]}/lines.csv",
    ):
        answer = await api.get(f"{API}/{path}", headers=care)
        assert answer.status_code == 403, (path, answer.text)
    council = bearer(env.council_token(durham.payee.authority_id))
    assert (await api.get(f"{API}/remittances/{durham.remittances[0]}", headers=council)).status_code == 403


async def test_the_council_lists_its_authoritys_remittances(api, env, durham):
    p = durham.payee
    council = bearer(env.council_token(p.authority_id))
    answer = await api.get(
        f"{COUNCIL_API}/remittances", params={"organisation_id": str(p.organisation_id)}, headers=council
    )
    assert answer.status_code == 200, answer.text
    assert [r["remittance_id"] for r in answer.json()] == [str(r) for r in reversed(durham.remittances)]
    other = bearer(env.council_token(uuid.uuid4()))
    assert (await api.get(f"{COUNCIL_API}/remittances", headers=other)).json() == []
    assert (await api.get(f"{COUNCIL_API}/remittances", headers=provider(env, durham))).status_code == 403


async def test_council_settings_refuse_bad_input_and_change_nothing(api, env):
    authority_id = uuid.uuid4()
    council = bearer(env.council_token(authority_id))
    empty = await api.get(f"{COUNCIL_API}/settings", headers=council)
    assert empty.json() == {
        "payment_terms": "", "invoice_address": "", "delivery_address": "", "version": 0, "updated_at": None,
    }  # fmt: skip
    good = {"payment_terms": "30 days", "invoice_address": "County Hall", "delivery_address": "Depot"}
    assert (await api.put(f"{COUNCIL_API}/settings", json=good, headers=council)).status_code == 200
    refusals = [
        ({**good, "payment_terms": "x" * 501}, "payment_terms", "too-long"),
        ({**good, "invoice_address": "a\x00b"}, "invoice_address", "invalid-characters"),
    ]
    for body, field, code in refusals:
        answer = await api.put(f"{COUNCIL_API}/settings", json=body, headers=council)
        assert answer.status_code == 422, answer.text
        assert answer.json()["type"].endswith(code) and answer.json()["errors"][0]["field"] == field
    extra = await api.put(f"{COUNCIL_API}/settings", json={**good, "colour": "red"}, headers=council)
    assert extra.status_code == 422 and "colour" in extra.text
    reader = bearer(env.council_token(authority_id, can_edit=False))
    assert (
        await api.put(f"{COUNCIL_API}/settings", json={**good, "payment_terms": "7"}, headers=reader)
    ).status_code == 403
    provider_token = bearer(env.token(authority_id=authority_id, organisation_id=uuid.uuid4()))
    assert (await api.put(f"{COUNCIL_API}/settings", json=good, headers=provider_token)).status_code == 403
    kept = (await api.get(f"{COUNCIL_API}/settings", headers=reader)).json()
    assert (kept["payment_terms"], kept["invoice_address"], kept["version"]) == ("30 days", "County Hall", 1)
