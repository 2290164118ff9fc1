"""A provider's invoice from confirmed weeks of actuals: made (lines per client per week, amounts from the
weeks, VAT), listed and read, submitted (one event with the full state), retracted (a credit note of
negative lines, the weeks invoiceable again), a draft deleted; the council reads what was submitted."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.payments.invoicing import (
    DURHAM,
    WEEK,
    create,
    invoicer,
    published,
    retract,
    rows_of,
    submit,
)
from tests.payments.support import (
    API,
    COUNCIL_API,
    add_confirmed_week,
    bearer,
    ensure_schedule,
    payments_api,
    payments_conn,
)

SUBMITTED = "payments.invoice.submitted.v1"
ISSUED = "payments.credit_note.issued.v1"


@pytest.fixture(scope="module")
async def api(env):
    async with payments_api(env) as client:
        yield client


async def test_an_invoice_is_made_from_confirmed_weeks_a_line_per_client_per_week(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        first = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
        second = await add_confirmed_week(
            conn,
            setup.payee,
            week_commencing=WEEK + timedelta(days=7),
            totals=[Decimal("100.01"), Decimal("0.99")],
        )
    made = await create(api, setup, [second, first], provider_reference="  OUR-REF-7 ")
    assert made["kind"] == "invoice" and made["status"] == "draft" and made["version"] == 1
    assert made["number"].startswith("INV-") and len(made["number"]) == 10
    assert made["provider_reference"] == "OUR-REF-7"
    assert (made["excl_vat"], made["vat"], made["total"]) == ("757.11", "0.00", "757.11")
    names = setup.payee.client_names
    assert [(x["line_no"], x["week_commencing"], x["client_name"], x["total"]) for x in made["lines"]] == [
        (1, "2019-09-30", names[0], "353.08"),
        (2, "2019-09-30", names[1], "303.03"),
        (3, "2019-10-07", names[0], "100.01"),
        (4, "2019-10-07", names[1], "0.99"),
    ]
    assert {x["week_id"] for x in made["lines"]} == {str(first), str(second)}
    weeks = (await api.get(f"{API}/invoices/invoiceable-weeks", headers=setup.auth)).json()
    assert weeks == []  # both on a standing (draft) invoice


async def test_vat_is_twenty_percent_for_a_vat_registered_provider_rounded_at_each_line(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env, vat_registered=True)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
    made = await create(api, setup, [week])
    # 353.08 * 0.2 = 70.616 -> 70.62; 303.03 * 0.2 = 60.606 -> 60.61
    assert [(x["excl_vat"], x["vat"], x["total"]) for x in made["lines"]] == [
        ("353.08", "70.62", "423.70"),
        ("303.03", "60.61", "363.64"),
    ]
    assert (made["excl_vat"], made["vat"], made["total"]) == ("656.11", "131.23", "787.34")


async def test_the_schedules_vat_rate_wins_over_the_contracts_registration(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env, vat_registered=True)
        await ensure_schedule(conn, setup.payee, anchor_date=WEEK, vat_rate=Decimal("0.0500"))
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
    made = await create(api, setup, [week])
    assert [x["vat"] for x in made["lines"]] == ["17.65", "15.15"]  # 17.654, 15.1515
    assert made["total"] == "688.91"


async def test_weeks_on_offer_are_the_confirmed_ones_on_no_standing_invoice(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        free = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
        unlocked = await add_confirmed_week(
            conn, setup.payee, week_commencing=WEEK + timedelta(days=7), totals=[Decimal("1.00")]
        )
        await conn.execute(
            "UPDATE payments.confirmed_week SET confirmed = false WHERE week_id = $1", unlocked
        )
    weeks = (await api.get(f"{API}/invoices/invoiceable-weeks", headers=setup.auth)).json()
    assert [(w["week_id"], w["week_commencing"], w["total"], w["clients"]) for w in weeks] == [
        (str(free), "2019-09-30", "656.11", 2)
    ]
    other = await api.get(
        f"{API}/invoices/invoiceable-weeks", params={"contract_id": str(uuid.uuid4())}, headers=setup.auth
    )
    assert other.status_code == 200 and other.json() == []


async def test_submit_publishes_the_full_invoice_once_and_a_second_submit_answers_the_same(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env, vat_registered=True)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
    made = await create(api, setup, [week])
    done = await submit(api, setup, made)
    assert (done["status"], done["version"], done["total"]) == ("submitted", 2, "787.34")
    assert done["issue_date"] == datetime.now(ZoneInfo("Europe/London")).date().isoformat()
    again = await submit(api, setup, made)  # a retry with the version the first started from
    assert again == done
    events = await published(env, SUBMITTED, made["invoice_id"])
    assert len(events) == 1
    event = events[0]
    assert (event["number"], event["total"], event["vat"], event["excl_vat"]) == (
        made["number"],
        "787.34",
        "131.23",
        "656.11",
    )
    assert event["authority_id"] == str(setup.payee.authority_id)
    assert event["supplier_reference"] == setup.payee.organisation_reference
    assert [(x["client_id"], x["week_id"], x["total"]) for x in event["lines"]] == [
        (str(setup.payee.client_ids[0]), str(week), "423.70"),
        (str(setup.payee.client_ids[1]), str(week), "363.64"),
    ]


async def test_retracting_issues_a_negative_credit_note_and_frees_the_weeks(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
    done = await submit(api, setup, await create(api, setup, [week]))
    note = await retract(api, setup, done, reason="  Raised against the wrong week ")
    assert (note["kind"], note["status"], note["number"][:4]) == ("credit_note", "issued", "CRN-")
    assert (note["credits_invoice_id"], note["credits_invoice_number"]) == (
        done["invoice_id"],
        done["number"],
    )
    assert note["reason"] == "Raised against the wrong week"
    assert [x["total"] for x in note["lines"]] == ["-353.08", "-303.03"]
    assert (note["excl_vat"], note["vat"], note["total"]) == ("-656.11", "0.00", "-656.11")
    invoice = (await api.get(f"{API}/invoices/{done['invoice_id']}", headers=setup.auth)).json()
    assert (invoice["status"], invoice["version"], invoice["credited_by_number"]) == (
        "retracted",
        3,
        note["number"],
    )
    events = await published(env, ISSUED, note["invoice_id"])
    assert len(events) == 1
    assert (events[0]["credits_invoice_id"], events[0]["total"], events[0]["reason"]) == (
        done["invoice_id"],
        "-656.11",
        "Raised against the wrong week",
    )
    weeks = (await api.get(f"{API}/invoices/invoiceable-weeks", headers=setup.auth)).json()
    assert [w["week_id"] for w in weeks] == [str(week)]
    again = await create(api, setup, [week])  # the week is invoiceable again
    assert again["total"] == "656.11" and again["number"] != done["number"]


async def test_the_list_filters_by_kind_and_status_newest_first(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        weeks = [
            await add_confirmed_week(
                conn, setup.payee, week_commencing=WEEK + timedelta(days=7 * n), totals=[Decimal("10.00")]
            )
            for n in range(3)
        ]
    draft = await create(api, setup, [weeks[0]])
    retracted = await submit(api, setup, await create(api, setup, [weeks[1]]))
    note = await retract(api, setup, retracted)
    standing = await submit(api, setup, await create(api, setup, [weeks[2]]))

    async def listed(**params):
        answer = await api.get(f"{API}/invoices", params=params, headers=setup.auth)
        assert answer.status_code == 200, answer.text
        return [x["number"] for x in answer.json()]

    assert await listed() == [standing["number"], note["number"], retracted["number"], draft["number"]]
    assert await listed(kind="credit_note") == [note["number"]]
    assert await listed(status="draft") == [draft["number"]]
    assert await listed(kind="invoice", status="submitted") == [standing["number"]]
    assert await listed(limit=1, offset=1) == [note["number"]]
    bad = await api.get(f"{API}/invoices", params={"status": "paid"}, headers=setup.auth)
    assert bad.status_code == 422 and "status" in bad.text


async def test_a_draft_is_deleted_and_its_weeks_are_free_again(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
    made = await create(api, setup, [week])
    gone = await api.delete(f"{API}/invoices/{made['invoice_id']}", params={"version": 1}, headers=setup.auth)
    assert gone.status_code == 204, gone.text
    assert await rows_of(env, setup.payee.organisation_id) == []
    missing = await api.get(f"{API}/invoices/{made['invoice_id']}", headers=setup.auth)
    assert missing.status_code == 404
    weeks = (await api.get(f"{API}/invoices/invoiceable-weeks", headers=setup.auth)).json()
    assert [w["week_id"] for w in weeks] == [str(week)]


async def test_numbers_are_per_authority_and_kind_in_order(api, env):
    authority = uuid.uuid4()
    async with payments_conn(env) as conn:
        one = await invoicer(conn, env, authority_id=authority)
        two = await invoicer(conn, env, authority_id=authority)
        elsewhere = await invoicer(conn, env)
        weeks = {
            s.payee.organisation_id: await add_confirmed_week(
                conn, s.payee, week_commencing=WEEK, totals=[Decimal("5.00")]
            )
            for s in (one, two, elsewhere)
        }
    a = await create(api, one, [weeks[one.payee.organisation_id]])
    b = await create(api, two, [weeks[two.payee.organisation_id]])
    c = await create(api, elsewhere, [weeks[elsewhere.payee.organisation_id]])
    assert (a["number"], b["number"], c["number"]) == ("INV-000001", "INV-000002", "INV-000001")
    note = await retract(api, one, await submit(api, one, a))
    assert note["number"] == "CRN-000001"


async def test_the_council_reads_submitted_documents_of_its_providers_not_drafts(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        weeks = [
            await add_confirmed_week(
                conn, setup.payee, week_commencing=WEEK + timedelta(days=7 * n), totals=[Decimal("10.00")]
            )
            for n in range(2)
        ]
    draft = await create(api, setup, [weeks[0]])
    sent = await submit(api, setup, await create(api, setup, [weeks[1]]))
    council = bearer(env.council_token(setup.payee.authority_id))
    listed = await api.get(
        f"{COUNCIL_API}/invoices",
        params={"organisation_id": str(setup.payee.organisation_id)},
        headers=council,
    )
    assert listed.status_code == 200, listed.text
    assert [x["number"] for x in listed.json()] == [sent["number"]]
    got = await api.get(f"{COUNCIL_API}/invoices/{sent['invoice_id']}", headers=council)
    assert got.status_code == 200 and got.json()["lines"][0]["total"] == "10.00"
    hidden = await api.get(f"{COUNCIL_API}/invoices/{draft['invoice_id']}", headers=council)
    assert hidden.status_code == 404
    other = bearer(env.council_token(uuid.uuid4()))
    assert (await api.get(f"{COUNCIL_API}/invoices/{sent['invoice_id']}", headers=other)).status_code == 404
    provider = await api.get(f"{COUNCIL_API}/invoices", headers=setup.auth)
    assert provider.status_code == 403
