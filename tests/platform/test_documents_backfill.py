"""A reports service started after invoices were submitted and claims accepted: payments and claims
published them before reports listened (their events are gone), so reports' worker, starting with no
invoice and no accepted claim in its read model, asks payments for its invoices and credit notes and
claims for its accepted claims (`payments.backfill.requested.v1`, `claims.backfill.requested.v1`); their
workers answer with the documents' and decisions' events as published, and reports' tables fill, lines
and items included."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

from claims.main import DEFINITION as CLAIMS
from payments.main import DEFINITION as PAYMENTS
from reports.main import DEFINITION as REPORTS
from shared import db
from shared.service import run_worker
from tests.claims.integration.council_harness import (
    claims_api_fixture,  # noqa: F401  (the `claims_api` fixture)
    submitted_claim,
)
from tests.payments.invoicing import DURHAM, WEEK, create, invoicer, published, retract, submit
from tests.payments.support import add_confirmed_week, payments_api
from tests.support.inprocess import eventually


async def test_reports_started_empty_asks_payments_and_claims_for_their_documents(env, claims_api):
    payments = await db.connect(env.dsn("payments"))
    claims = await db.connect(env.dsn("claims"))
    reports = await db.connect(env.dsn("reports"))
    try:
        setup = await invoicer(payments, env)
        week = await add_confirmed_week(payments, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
        async with payments_api(env) as api:
            invoice = await submit(api, setup, await create(api, setup, [week]))
            note = await retract(api, setup, invoice)
        claim = await submitted_claim(env, claims_api)
        decided = await claims_api.post(
            f"/council/v1/claims/claims/{claim.claim_id}/decision",
            json={"decision": "accepted"},
            headers=claim.council,
        )
        assert decided.status_code == 200, decided.text
        [original] = await published(env, "payments.invoice.submitted.v1", invoice["invoice_id"])

        # Their events were published before reports listened: none reaches it now.
        for conn, schema in ((payments, "payments"), (claims, "claims")):
            await conn.execute(f"UPDATE {schema}.outbox SET published_at = now() WHERE published_at IS NULL")
        await reports.execute("DELETE FROM reports.invoice")  # a reports service that starts empty
        await reports.execute("DELETE FROM reports.accepted_claim")

        stop = asyncio.Event()
        workers = [
            asyncio.create_task(run_worker(definition, env.settings(definition), stop=stop))
            for definition in (PAYMENTS, CLAIMS, REPORTS)
        ]
        try:

            async def filled() -> bool:
                kept = await reports.fetchval(
                    "SELECT count(*) FROM reports.invoice WHERE invoice_id = ANY($1::uuid[])",
                    [invoice["invoice_id"], note["invoice_id"]],
                )
                claimed = await reports.fetchval(
                    "SELECT count(*) FROM reports.accepted_claim WHERE claim_id = $1", claim.claim_id
                )
                return kept == 2 and claimed == 1

            assert await eventually(filled, timeout=90, interval=0.3)
        finally:
            stop.set()
            await asyncio.gather(*workers)

        row = await reports.fetchrow(
            "SELECT number, total, issued_at FROM reports.invoice WHERE invoice_id = $1",
            invoice["invoice_id"],
        )
        assert (row["number"], str(row["total"]), row["issued_at"].isoformat().replace("+00:00", "Z")) == (
            original["number"],
            original["total"],
            original["submitted_at"].replace("+00:00", "Z"),
        )
        lines = await reports.fetch(
            "SELECT total FROM reports.invoice_line WHERE invoice_id = $1 ORDER BY line_no",
            note["invoice_id"],
        )
        assert sorted(r["total"] for r in lines) == sorted(-x for x in DURHAM)
        items = await reports.fetchval(
            "SELECT sum(amount) FROM reports.accepted_claim_item WHERE claim_id = $1", claim.claim_id
        )
        assert items == Decimal("66.42")
        asked = await reports.fetch(
            "SELECT routing_key, body FROM reports.outbox"
            " WHERE routing_key IN ('payments.backfill.requested.v1', 'claims.backfill.requested.v1')"
        )
        kinds = {
            (r["routing_key"].split(".")[0], json.loads(r["body"])["payload"]["aggregate_type"])
            for r in asked
        }
        assert {("payments", "invoice"), ("payments", "credit_note"), ("claims", "claim")} <= kinds, kinds
    finally:
        for conn in (payments, claims, reports):
            await conn.close()
