"""A backfill of payments' documents (`payments.backfill.requested.v1`, aggregates `invoice` and
`credit_note`): every submitted invoice (a retracted one too) is re-published as the very
`payments.invoice.submitted.v1` it published, naming who submitted it rather than who made it, and every
credit note, a provider's retraction or a payment run's, as its `payments.credit_note.issued.v1`; a draft
is not. Built by the handlers' own builders from what payments stores (migration 0007)."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from payments.main import DEFINITION as PAYMENTS
from shared.auth import Role
from shared.backfill import find_republisher, republish
from shared.bus import Outbox
from tests.payments.integration.run_harness import (
    WEEK_1,
    WEEK_2,
    finalise,
    outbox,
    payee,
    run_and_compute,
    schedule,
)
from tests.payments.invoicing import DURHAM, WEEK, Invoicer, create, invoicer, published, retract, submit
from tests.payments.support import add_confirmed_week, bearer, payments_api, payments_conn

SUBMITTED = "payments.invoice.submitted.v1"
ISSUED = "payments.credit_note.issued.v1"


async def republished(env: Any, aggregate: str) -> dict[str, dict[str, Any]]:
    """What a backfill of `aggregate` writes to payments' outbox, by document id (rolled back)."""
    marker = f"backfill-{uuid.uuid4()}"
    republisher = find_republisher("payments", PAYMENTS.republishers, aggregate)
    async with payments_conn(env) as conn:
        tx = conn.transaction()
        await tx.start()
        try:
            count = await republish(conn, Outbox("payments"), republisher, correlation_id=marker, chunk=2)
            rows = await conn.fetch(
                "SELECT routing_key, body FROM payments.outbox"
                " WHERE convert_from(body, 'UTF8')::jsonb ->> 'correlation_id' = $1 ORDER BY id",
                marker,
            )
            kept = await conn.fetchval(
                "SELECT count(*) FROM payments.invoice WHERE kind = $1 AND status <> 'draft'", aggregate
            )
        finally:
            await tx.rollback()
    assert count == len(rows) == kept
    assert {r["routing_key"] for r in rows} <= {republisher.event.routing_key()}
    envelopes = [json.loads(r["body"]) for r in rows]
    return {e["aggregate_id"]: e["payload"] for e in envelopes}


def as_user(env: Any, setup: Invoicer, subject: str) -> Invoicer:
    token = env.token(
        authority_id=setup.payee.authority_id,
        organisation_id=setup.payee.organisation_id,
        role=Role.finance,
        subject=subject,
    )
    return Invoicer(setup.payee, bearer(token))


async def test_a_submitted_invoice_and_its_retraction_are_republished_as_published(env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
        other = await add_confirmed_week(
            conn, setup.payee, week_commencing=WEEK.replace(day=23), totals=[Decimal("12.00")]
        )
    maker, submitter, retractor = (
        f"{who}-{uuid.uuid4().hex[:6]}" for who in ("maker", "submitter", "retractor")
    )
    async with payments_api(env) as api:
        made = await create(api, as_user(env, setup, maker), [week], provider_reference="REF-9")
        done = await submit(api, as_user(env, setup, submitter), made)
        note = await retract(api, as_user(env, setup, retractor), done, reason="Wrong client")
        draft = await create(api, setup, [other])

    [original] = await published(env, SUBMITTED, made["invoice_id"])
    assert original["submitted_by"] == submitter  # who submitted it, not who made it
    invoices = await republished(env, "invoice")
    assert invoices[made["invoice_id"]] == original  # retracted since: still the invoice that was submitted
    assert draft["invoice_id"] not in invoices

    [issued] = await published(env, ISSUED, note["invoice_id"])
    assert issued["issued_by"] == retractor and issued["credits_invoice_id"] == made["invoice_id"]
    notes = await republished(env, "credit_note")
    assert notes[note["invoice_id"]] == issued


async def test_a_payment_runs_credit_note_is_republished_with_its_lines(env):
    who = await payee(env, costs=(Decimal("100.00"),))
    async with payments_api(env) as api:
        await schedule(api, env, who)
        first = await run_and_compute(api, env, who.authority_id, WEEK_1)
        assert (await finalise(api, env, who.authority_id, first)).status_code == 200
        async with payments_conn(env) as conn:  # back-dated: 100.00 -> 90.00 a week, 10.00 taken back
            await conn.execute(
                "UPDATE payments.cpli SET cost = 90.00, updated_at = now() WHERE cpli_id = $1",
                who.cpli_ids[0],
            )
        second = await run_and_compute(api, env, who.authority_id, WEEK_2)
        assert (await finalise(api, env, who.authority_id, second)).status_code == 200
    [event] = await outbox(env, ISSUED, who.authority_id)
    assert [(x["total"], x["client_id"]) for x in event["lines"]] == [("-10.00", str(who.client_ids[0]))]
    notes = await republished(env, "credit_note")
    assert notes[event["invoice_id"]] == event
