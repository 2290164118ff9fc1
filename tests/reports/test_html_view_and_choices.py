"""The accessible HTML view as a run format (rendered by a worker, stored, its viewing published for the
audit log like any download) and the pick lists of the parameters form (GET /api/v1/reports/choices):
each caller's own organisations, contracts, periods and years only."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

from reports.main import DEFINITION as REPORTS
from shared import db
from shared.auth import Role
from shared.events import ContractUpserted
from shared.service import create_api
from tests.reports.integration.readmodel import deliver, line, payment, remittance
from tests.support.inprocess import serve
from tests.support.reports import add_organisations, rendering, wait_for_status

WEEK = date(2019, 9, 30)  # paid 14 October 2019: tax year 2019/20


async def remittance_ids(env, payment_id: uuid.UUID) -> list[uuid.UUID]:
    conn = await db.connect(env.dsn("reports"))
    try:
        return [
            r[0]
            for r in await conn.fetch(
                "SELECT remittance_id FROM reports.remittance WHERE payment_id = $1", payment_id
            )
        ]
    finally:
        await conn.close()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "x-forwarded-for": "203.0.113.7"}


def contract(authority: uuid.UUID, organisation: uuid.UUID, name: str, reference: str) -> ContractUpserted:
    return ContractUpserted(
        contract_id=uuid.uuid4(),
        authority_id=authority,
        organisation_id=organisation,
        reference=reference,
        name=name,
        payment_basis="planned",
        frequency="weekly",
        pays_frustrated=False,
        pays_extras=False,
        vat_registered=False,
        active=True,
        revision=1,
        updated_at=datetime.now(UTC),
    )


async def test_an_html_run_is_rendered_stored_and_its_viewing_published(env, authority):
    ours, _ = await add_organisations(env, authority, ["Sausage & <Sandwich>", "Acorn Homes"])
    await add_organisations(env, uuid.uuid4(), ["Another Council's Care"])
    subject = str(uuid.uuid4())
    me = bearer(env.token(authority_id=authority, organisation_id=ours, role=Role.finance, subject=subject))
    async with rendering(env), serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        refused = await api.post(
            "/api/v1/reports/runs", json={"report": "organisation-directory", "format": "docx"}, headers=me
        )
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "format"
        created = await api.post(
            "/api/v1/reports/runs", json={"report": "organisation-directory", "format": "html"}, headers=me
        )
        assert created.status_code == 202, created.text
        run_id = created.json()["run_id"]
        done = await wait_for_status(api, run_id, me, "done")
        assert done["format"] == "html" and done["progress"] == {"done": 1, "total": 1}
        file = await api.get(f"/api/v1/reports/runs/{run_id}/file", headers=me)
        statement = await api.post(
            "/api/v1/reports/runs",
            json={
                "report": "annual-statement-foster-carer",
                "format": "html",
                "parameters": {"tax_year": "2019"},
            },
            headers=me,
        )
        await wait_for_status(api, statement.json()["run_id"], me, "done")
        header = (await api.get(f"/api/v1/reports/runs/{statement.json()['run_id']}/file", headers=me)).text
    # The organisation chosen reads as its name in the header, not as its id.
    assert (
        '<dt class="govuk-summary-list__key">Organisation</dt>'
        '<dd class="govuk-summary-list__value">Sausage &amp; &lt;Sandwich&gt;</dd>'
    ) in header
    assert str(ours) not in header
    assert file.status_code == 200, file.text
    assert file.headers["content-type"] == "text/html; charset=utf-8"
    assert file.headers["content-disposition"].startswith("attachment;")
    assert file.headers["content-disposition"].endswith('.html"')
    assert file.headers["content-security-policy"] == "default-src 'none'; sandbox"
    html = file.text
    assert html.startswith('<div class="app-report">')
    assert '<h1 class="govuk-heading-l">Provider Organisations</h1>' in html
    # The provider's own organisation only, its name escaped; the other organisations are not there.
    assert '<th scope="row" class="govuk-table__header">Sausage &amp; &lt;Sandwich&gt;</th>' in html
    assert "Acorn" not in html and "Another Council" not in html and "<Sandwich>" not in html

    conn = await db.connect(env.dsn("reports"))
    try:
        rows = await conn.fetch(
            "SELECT body FROM reports.outbox WHERE routing_key = 'reports.artifact.downloaded.v1'"
        )
    finally:
        await conn.close()
    (viewed,) = [
        p
        for p in (json.loads(r["body"])["payload"] for r in rows)
        if p["downloaded_by"] == subject and p["run_id"] == run_id
    ]
    assert (viewed["run_id"], viewed["format"], viewed["client_address"]) == (run_id, "html", "203.0.113.7")
    assert viewed["filename"].endswith(".html")


async def test_the_pick_lists_are_the_callers_own(env, authority):
    today = datetime.now(UTC).date()
    tax_now = today.year if today >= date(today.year, 4, 6) else today.year - 1
    financial_now = today.year if today.month >= 4 else today.year - 1
    zebra, acorn = await add_organisations(env, authority, ["Zebra Care", "Acorn Homes"])
    other_authority = uuid.uuid4()
    (elsewhere,) = await add_organisations(env, other_authority, ["Elsewhere Care"])
    zebra_contract = contract(authority, zebra, "Fostering", "C-Z-1")
    acorn_contract = contract(authority, acorn, "Residential", "C-A-1")
    elsewhere_contract = contract(other_authority, elsewhere, "Hidden", "C-E-1")
    paid = payment(
        authority_id=authority,
        organisation_id=zebra,
        contract_id=zebra_contract.contract_id,
        period_start=WEEK,
        lines=[line(client_id=uuid.uuid4(), client_name="Simpson, Bart", start=WEEK, total="10.00")],
        status="finalised",
    )
    hidden = payment(
        authority_id=other_authority,
        organisation_id=elsewhere,
        contract_id=elsewhere_contract.contract_id,
        period_start=date(2015, 6, 1),
        lines=[
            line(client_id=uuid.uuid4(), client_name="Flanders, Rod", start=date(2015, 6, 1), total="1.00")
        ],
        status="finalised",
    )
    await deliver(
        env,
        zebra_contract,
        acorn_contract,
        elsewhere_contract,
        paid,
        remittance(paid),
        hidden,
        remittance(hidden),
    )
    current_tax = f"{tax_now}/{(tax_now + 1) % 100:02d}"
    current_financial = f"{financial_now}/{(financial_now + 1) % 100:02d}"

    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        council = await api.get("/api/v1/reports/choices", headers=bearer(env.council_user_token(authority)))
        assert council.status_code == 200, council.text
        lists = council.json()
        assert lists["organisation_id"] == [
            {"value": str(acorn), "label": "Acorn Homes"},
            {"value": str(zebra), "label": "Zebra Care"},
        ]
        assert lists["contract_id"] == [
            {"value": str(acorn_contract.contract_id), "label": "Acorn Homes: Residential (C-A-1)"},
            {"value": str(zebra_contract.contract_id), "label": "Zebra Care: Fostering (C-Z-1)"},
        ]
        assert lists["payment_method"] == [
            {"value": "Scheduled Weekly Net", "label": "Scheduled Weekly Net"},
            {"value": "Scheduled 4 Weekly Net", "label": "Scheduled 4 Weekly Net"},
        ]
        assert lists["period_start"] == [{"value": "2019-09-30", "label": "30/09/2019 to 06/10/2019"}]
        taxed = [c["value"] for c in lists["tax_year"]]
        assert taxed == sorted({"2019/20", current_tax}, reverse=True)
        assert {"value": "2019/20", "label": "2019/20 (6 April 2019 to 5 April 2020)"} in lists["tax_year"]
        assert [c["value"] for c in lists["financial_year"]] == [current_financial]
        assert "2015/16" not in taxed  # the other authority's payment
        # The remittance and purchase order reports pick from lists, as their pages show them (a
        # provider read "PO-2026-000004" on its page and could not type it: the box wanted the id).
        [remitted] = await remittance_ids(env, paid.payment_id)
        assert lists["remittance_id"] == [{"value": str(remitted), "label": "RA-1 (paid 14/10/2019)"}]
        order = paid.lines[0].purchase_order_id
        assert lists["purchase_order_id"] == [{"value": str(order), "label": "PO-2019-1-1"}]

        zebra_lists = (
            await api.get(
                "/api/v1/reports/choices",
                headers=bearer(env.token(authority_id=authority, organisation_id=zebra, role=Role.finance)),
            )
        ).json()
        assert zebra_lists["organisation_id"] == [{"value": str(zebra), "label": "Zebra Care"}]
        assert zebra_lists["contract_id"] == [
            {"value": str(zebra_contract.contract_id), "label": "Fostering (C-Z-1)"}
        ]
        assert zebra_lists["period_start"] == lists["period_start"]

        acorn_lists = (
            await api.get(
                "/api/v1/reports/choices",
                headers=bearer(env.token(authority_id=authority, organisation_id=acorn, role=Role.full)),
            )
        ).json()
        assert [c["value"] for c in acorn_lists["organisation_id"]] == [str(acorn)]
        assert [c["value"] for c in acorn_lists["contract_id"]] == [str(acorn_contract.contract_id)]
        assert acorn_lists["period_start"] == []  # Zebra's remittance is not theirs
        assert (acorn_lists["remittance_id"], acorn_lists["purchase_order_id"]) == ([], [])
        assert [c["value"] for c in acorn_lists["tax_year"]] == [current_tax]
