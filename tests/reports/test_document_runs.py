"""Runs of one document, as the payments pages' "View PDF" asks for them (reports.handlers.runs): a
remittance advice of one remittance and a purchase order, rendered from payments' events in reports'
read model, the PDF's text checked against figures computed here; the caller's kept run of the same
document reused (200) until its file expires or the document changes; another provider's or another
authority's document is 404 and queues nothing."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal

from reports.main import DEFINITION as REPORTS
from shared import db
from shared.auth import Role
from shared.service import create_api
from tests.reports.integration.readmodel import deliver, line, payment, remittance
from tests.reports.rendering_helpers import pdf_pages, pounds
from tests.support.inprocess import serve
from tests.support.reports import rendering, wait_for_status

WEEK = date(2019, 10, 7)
AMOUNTS = {"Simpson, Bart": "353.08", "Daily, Arthur": "303.03"}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def runs_of(env, authority: uuid.UUID) -> int:
    conn = await db.connect(env.dsn("reports"))
    try:
        return int(
            await conn.fetchval("SELECT count(*) FROM reports.report_run WHERE authority_id = $1", authority)
        )
    finally:
        await conn.close()


async def a_paid_week(authority: uuid.UUID, organisation: uuid.UUID, order: uuid.UUID, *, revision: int = 1):
    """A finalised payment of two children's week, an adjustment and a one-off claim, and its remittance."""
    contract = uuid.uuid4()
    lines = [
        line(client_id=uuid.uuid4(), client_name=name, start=WEEK, total=amount, purchase_order_id=order)
        for name, amount in AMOUNTS.items()
    ]
    lines.append(
        line(
            client_id=lines[0].client_id,
            client_name="Simpson, Bart",
            start=date(2019, 9, 23),
            total="12.34",
            purchase_order_id=order,
        )
    )
    lines.append(
        line(client_id=None, client_name=None, start=date(2019, 9, 20), days=1, total="64.00", source="claim")
    )
    state = payment(
        authority_id=authority,
        organisation_id=organisation,
        contract_id=contract,
        period_start=WEEK,
        lines=lines,
        status="finalised",
        revision=revision,
    )
    return state, remittance(state, reference="RA-PR-1-C-FOST-0148")


async def test_a_remittance_pdf_of_one_remittance_reused_while_kept(env, authority):
    organisation, order = uuid.uuid4(), uuid.uuid4()
    state, issued = await a_paid_week(authority, organisation, order)
    await deliver(env, state, issued)
    me = bearer(
        env.token(authority_id=authority, organisation_id=organisation, role=Role.finance, subject="me")
    )
    colleague = bearer(env.token(authority_id=authority, organisation_id=organisation, role=Role.full))
    asked = {
        "report": "remittance-advice",
        "format": "pdf",
        "parameters": {"remittance_id": str(issued.remittance_id)},
    }
    async with rendering(env), serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        created = await api.post("/api/v1/reports/runs", json=asked, headers=me)
        assert created.status_code == 202, created.text
        run = created.json()
        assert run["parameters"] == {"remittance_id": str(issued.remittance_id), "summary": "false"}
        await wait_for_status(api, run["run_id"], me, "done")
        file = await api.get(f"/api/v1/reports/runs/{run['run_id']}/file", headers=me)
        assert file.status_code == 200 and file.headers["content-disposition"].startswith("inline;")
        text = "\n".join(pdf_pages(file.content))

        # The figures, computed here: every line paid, and their sum.
        paid = [Decimal(a) for a in AMOUNTS.values()] + [Decimal("12.34"), Decimal("64.00")]
        total = sum(paid, Decimal("0.00"))
        assert total == Decimal("732.45")
        assert "Remittance Advice Provider Payments" in text
        # The header names the remittance by its reference and pay date, not by the internal id.
        assert f"{issued.reference}, paid {issued.pay_date.day} {issued.pay_date:%B %Y}" in text
        assert str(issued.remittance_id) not in text
        for heading in ("Sausage Sandwich Fostering", "RA-PR-1-C-FOST-0148", "C-FOST-0148", "21/10/2019"):
            assert heading in text, (heading, text)  # the supplier, the remittance, contract, pay date
        for name in AMOUNTS:
            assert name in text
        assert "One-off claim" in text or "Claim" in text, text
        for amount in paid:
            assert pounds(amount) in text, (amount, text)
        assert re.search(rf"Total.*{re.escape(pounds(total))}", text, re.S), text

        # Asked again: the same run, not a new one; a colleague's ask is theirs; a CSV is another run.
        again = await api.post("/api/v1/reports/runs", json=asked, headers=me)
        assert again.status_code == 200 and again.json()["run_id"] == run["run_id"]
        theirs = await api.post("/api/v1/reports/runs", json=asked, headers=colleague)
        assert theirs.status_code == 202 and theirs.json()["run_id"] != run["run_id"]
        as_csv = await api.post("/api/v1/reports/runs", json={**asked, "format": "csv"}, headers=me)
        assert as_csv.status_code == 202 and as_csv.json()["run_id"] != run["run_id"]
        summary = {**asked, "parameters": {**asked["parameters"], "summary": "true"}}
        assert (await api.post("/api/v1/reports/runs", json=summary, headers=me)).status_code == 202

        # Once its file is no longer kept, a new run.
        conn = await db.connect(env.dsn("reports"))
        try:
            await conn.execute(
                "UPDATE reports.report_run SET expires_at = now() WHERE run_id = $1", uuid.UUID(run["run_id"])
            )
        finally:
            await conn.close()
        fresh = await api.post("/api/v1/reports/runs", json=asked, headers=me)
        assert fresh.status_code == 202 and fresh.json()["run_id"] != run["run_id"]


async def test_a_purchase_order_pdf_reused_until_a_payment_on_it_changes(env, authority):
    organisation, order = uuid.uuid4(), uuid.uuid4()
    state, _ = await a_paid_week(authority, organisation, order)
    await deliver(env, state)
    me = bearer(env.token(authority_id=authority, organisation_id=organisation, role=Role.finance))
    asked = {"report": "purchase-order", "format": "pdf", "parameters": {"purchase_order_id": str(order)}}
    async with rendering(env), serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        first = (await api.post("/api/v1/reports/runs", json=asked, headers=me)).json()
        await wait_for_status(api, first["run_id"], me, "done")
        text = "\n".join(
            pdf_pages((await api.get(f"/api/v1/reports/runs/{first['run_id']}/file", headers=me)).content)
        )
        on_order = [
            Decimal("353.08"),
            Decimal("303.03"),
            Decimal("12.34"),
        ]  # the claim is on no order of ours
        for amount in on_order:
            assert pounds(amount) in text, (amount, text)
        assert pounds(Decimal("64.00")) not in text
        assert "Purchase Order" in text and "PO-2019-1-1" in text and "Sausage Sandwich Fostering" in text
        assert re.search(rf"Total.*{re.escape(pounds(sum(on_order, Decimal('0.00'))))}", text, re.S), text
        reused = await api.post("/api/v1/reports/runs", json=asked, headers=me)
        assert reused.status_code == 200 and reused.json()["run_id"] == first["run_id"]

        # A newer state of the payment on the order (a line more): the kept file is out of date.
        extra = line(
            client_id=uuid.uuid4(),
            client_name="Newby, Ann",
            start=WEEK,
            total="10.00",
            purchase_order_id=order,
        )
        await deliver(env, state.model_copy(update={"lines": [*state.lines, extra], "revision": 2}))
        second = await api.post("/api/v1/reports/runs", json=asked, headers=me)
        assert second.status_code == 202 and second.json()["run_id"] != first["run_id"]
        await wait_for_status(api, second.json()["run_id"], me, "done")
        text = "\n".join(
            pdf_pages(
                (await api.get(f"/api/v1/reports/runs/{second.json()['run_id']}/file", headers=me)).content
            )
        )
        assert "Newby, Ann" in text and pounds(Decimal("678.45")) in text


async def test_another_tenants_document_is_not_found_and_nothing_is_queued(env, authority):
    organisation, order = uuid.uuid4(), uuid.uuid4()
    state, issued = await a_paid_week(authority, organisation, order)
    await deliver(env, state, issued)
    other_authority = uuid.uuid4()
    callers = {
        "another provider": env.token(
            authority_id=authority, organisation_id=uuid.uuid4(), role=Role.finance
        ),
        "another council": env.council_user_token(other_authority, can_edit=False),
        "another council's provider": env.token(
            authority_id=other_authority, organisation_id=organisation, role=Role.finance
        ),
    }
    before = await runs_of(env, authority), await runs_of(env, other_authority)
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        for who, token in callers.items():
            for report, name, document, code in (
                ("remittance-advice", "remittance_id", issued.remittance_id, "remittance-not-found"),
                ("remittance-advice", "remittance_id", uuid.uuid4(), "remittance-not-found"),
                ("purchase-order", "purchase_order_id", order, "purchase-order-not-found"),
            ):
                answer = await api.post(
                    "/api/v1/reports/runs",
                    json={"report": report, "format": "pdf", "parameters": {name: str(document)}},
                    headers=bearer(token),
                )
                assert answer.status_code == 404, (who, report, answer.text)
                assert answer.json()["type"] == f"urn:provider-portal:problem:{code}"
                assert "Simpson" not in answer.text
        # The council of the remittance may run it for its provider.
        council = bearer(env.council_user_token(authority, can_edit=False))
        mine = await api.post(
            "/api/v1/reports/runs",
            json={"report": "remittance-advice", "parameters": {"remittance_id": str(issued.remittance_id)}},
            headers=council,
        )
        assert mine.status_code == 202, mine.text
    assert (await runs_of(env, authority), await runs_of(env, other_authority)) == (before[0] + 1, before[1])
