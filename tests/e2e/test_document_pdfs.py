""" "View PDF" on the payments pages through the real gateway, reports service and render worker: a
remittance and a purchase order as PDFs from reports (rendered from payments' events in its read model),
the run's page followed to the file, the PDF's text checked against the remittance's figures computed
here; asked again, the same run (kept and unchanged); another provider's documents are "Page not found"
and queue nothing."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
from pypdf import PdfReader

from shared.events import PaymentLineState, RemittanceIssued, RemittanceLine, ScheduledPaymentUpserted
from tests.reports.integration.readmodel import deliver, reports_conn
from tests.support.actuals_pages import csrf_of, pages_client
from tests.support.inprocess import eventually
from tests.support.purchase_orders_pages import OrdersProvider, orders_provider

WEEK = date(2019, 10, 7)
ZERO = Decimal("0.00")


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def lines_paid(provider: OrdersProvider) -> list[PaymentLineState]:
    """The scenario's week of 7 October as payments paid it (tests/payments/integration/po_scenario.py):
    client 1's week, client 0's adjustment for 23 September and its week, and the one-off claim."""
    payee, orders = provider.scenario.payee, provider.scenario.orders

    def paid(client: int | None, start: date, days: int, total: str, order: uuid.UUID, adjustment=False):
        return PaymentLineState(
            line_id=uuid.uuid4(),
            source="planned" if client is not None else "claim",
            client_id=None if client is None else payee.client_ids[client],
            client_reference=None if client is None else payee.client_references[client],
            client_name=None if client is None else payee.client_names[client],
            purchase_order_id=order,
            purchase_order_number=f"PO-{str(order)[:8]}",
            service_start=start,
            service_end=start + timedelta(days=days - 1),
            adjustment=adjustment,
            excl_vat=Decimal(total),
            vat=ZERO,
            total=Decimal(total),
            status="payable",
        )

    return [
        paid(1, WEEK, 7, "303.03", orders[1]),
        paid(0, date(2019, 9, 23), 7, "12.34", orders[0], adjustment=True),
        paid(0, WEEK, 7, "353.08", orders[0]),
        paid(None, date(2019, 9, 20), 1, "64.00", provider.scenario.one_off),
    ]


async def publish_the_week(stack, provider: OrdersProvider) -> tuple[list[PaymentLineState], Decimal]:
    """payments' events of the finalised week (its payment and its remittance) into reports' read model;
    the lines and the total they pay, summed here."""
    payee = provider.scenario.payee
    lines = lines_paid(provider)
    total = sum((x.total for x in lines), ZERO)
    common = {
        "authority_id": payee.authority_id,
        "organisation_id": payee.organisation_id,
        "supplier_reference": payee.organisation_reference,
        "supplier_name": "Gatehouse Fostering",
        "contract_id": payee.contract_id,
        "contract_reference": "C-FOST-0148",
        "contract_name": payee.contract_name,
        "period_start": WEEK,
        "period_end": WEEK + timedelta(days=6),
        "pay_date": date(2019, 10, 22),
        "payment_run_id": uuid.uuid4(),
        "excl_vat": total,
        "vat": ZERO,
        "total": total,
    }
    state = ScheduledPaymentUpserted(
        **common, payment_id=uuid.uuid4(), status="finalised", lines=lines, revision=3
    )
    issued = RemittanceIssued(
        **common,
        remittance_id=provider.scenario.remittances[1],
        reference="RA-PR-2019-42-C-FOST-0148",
        payment_run_reference="PR-2019-42",
        payment_id=state.payment_id,
        lines=[
            RemittanceLine(**x.model_dump(exclude={"purchase_order_id", "status", "dispute_reason"}))
            for x in lines
        ],
        issued_at=datetime.now(UTC),
    )
    await deliver(stack.env, state, issued)
    return lines, total


async def view_pdf(client: httpx.AsyncClient, page_path: str) -> httpx.Response:
    page = await client.get(page_path)
    assert page.status_code == 200, page.text[:500]
    assert 'id="view-pdf"' in page.text and ">View PDF<" in page.text
    return await client.post(f"{page_path}/pdf", data={"csrf_token": csrf_of(page)})


async def rendered_file(client: httpx.AsyncClient, run_page: str) -> bytes:
    async def done() -> bool:
        page = await client.get(run_page)
        assert page.status_code == 200, page.text[:500]
        return 'id="run-done"' in page.text

    await eventually(done, timeout=30, interval=0.3)
    file = await client.get(f"{run_page}/file")
    assert file.status_code == 200 and file.headers["content-type"] == "application/pdf"
    assert file.headers["content-disposition"].startswith("inline")
    return file.content


async def runs_of(stack, authority_id: uuid.UUID) -> int:
    async with reports_conn(stack.env) as conn:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM reports.report_run WHERE authority_id = $1", authority_id
            )
        )


async def test_view_pdf_of_a_remittance_and_a_purchase_order_from_reports(stack):
    provider = await orders_provider(stack, role="finance", can_edit=False)
    lines, total = await publish_the_week(stack, provider)
    payee = provider.scenario.payee
    remittance = f"{provider.remittances}/{provider.scenario.remittances[1]}"
    async with await pages_client(stack, provider.user) as client:
        page = await client.get(remittance)
        assert re.search(rf'id="remittance-total">{re.escape(pounds(total))}<', page.text)  # payments agrees

        asked = await view_pdf(client, remittance)
        assert asked.status_code == 303, asked.text[:500]
        run_page = asked.headers["location"]
        assert re.fullmatch(rf"/{provider.tenant.slug}/reports/runs/[0-9a-f-]{{36}}", run_page), run_page
        shown = (await client.get(run_page)).text  # the remittance by its reference, not its id
        assert "RA-PR-2019-42-C-FOST-0148" in shown and str(provider.scenario.remittances[1]) not in shown
        text = pdf_text(await rendered_file(client, run_page))
        assert "Remittance Advice" in text and "RA-PR-2019-42-C-FOST-0148" in text and "22/10/2019" in text
        for x in lines:
            assert pounds(x.total) in text, (x.total, text)
            if x.client_name:
                assert x.client_name in text
        assert re.search(rf"Total.*{re.escape(pounds(total))}", text, re.S), text

        again = await view_pdf(client, remittance)
        assert again.status_code == 303 and again.headers["location"] == run_page  # the kept run, reused

        order = f"{provider.orders}/{provider.scenario.orders[0]}"
        asked = await view_pdf(client, order)
        assert asked.status_code == 303, asked.text[:500]
        text = pdf_text(await rendered_file(client, asked.headers["location"]))
        on_order = [x for x in lines if x.purchase_order_id == provider.scenario.orders[0]]
        assert (
            "Purchase Order" in text and payee.client_names[0] in text and payee.client_names[1] not in text
        )
        for x in on_order:
            assert pounds(x.total) in text
        assert re.search(rf"Total.*{re.escape(pounds(sum((x.total for x in on_order), ZERO)))}", text, re.S)


async def test_another_providers_document_pdfs_are_not_found(stack):
    mine = await orders_provider(stack, role="finance")
    theirs = await orders_provider(stack, role="finance")
    await publish_the_week(stack, theirs)
    before = await runs_of(stack, mine.tenant.authority_id)
    async with await pages_client(stack, mine.user) as client:
        own = await client.get(f"{mine.remittances}/{mine.scenario.remittances[0]}")
        token = csrf_of(own)
        for path in (
            f"{mine.remittances}/{theirs.scenario.remittances[1]}/pdf",
            f"{mine.orders}/{theirs.scenario.orders[0]}/pdf",
            f"{mine.remittances}/{uuid.uuid4()}/pdf",
            f"{mine.remittances}/not-an-id/pdf",
        ):
            answer = await client.post(path, data={"csrf_token": token})
            assert answer.status_code == 404, (path, answer.status_code, answer.text[:300])
            assert "Page not found" in answer.text
            assert theirs.scenario.payee.client_names[0] not in answer.text
        refused = await client.post(f"{mine.remittances}/{theirs.scenario.remittances[1]}/pdf")
        assert refused.status_code in (400, 403)  # no CSRF token: refused before anything is asked
    assert await runs_of(stack, mine.tenant.authority_id) == before
