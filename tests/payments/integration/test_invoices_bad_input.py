"""Each refusal of an invoice's making, submitting, deleting and retracting: a precise problem naming the
week or field, and nothing changed (the organisation's invoice rows as they were, no event)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from shared.auth import Role
from tests.payments.invoicing import (
    DURHAM,
    WEEK,
    create,
    finance_token,
    invoicer,
    published,
    retract,
    rows_of,
    submit,
)
from tests.payments.support import API, add_confirmed_week, bearer, build_payee, payments_api, payments_conn

SUBMITTED = "payments.invoice.submitted.v1"


@pytest.fixture(scope="module")
async def api(env):
    async with payments_api(env) as client:
        yield client


def fields(answer):
    return {e["field"]: e["message"] for e in answer.json().get("errors") or []}


def code(answer):
    return answer.json()["type"].rsplit(":", 1)[-1]


async def post(api, setup, body):
    return await api.post(f"{API}/invoices", json=body, headers=setup.auth)


async def test_weeks_that_cannot_be_invoiced_are_each_named_and_nothing_is_made(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        good = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
        unlocked = await add_confirmed_week(
            conn, setup.payee, week_commencing=WEEK + timedelta(days=7), totals=[Decimal("1.00")]
        )
        await conn.execute(
            "UPDATE payments.confirmed_week SET confirmed = false WHERE week_id = $1", unlocked
        )
        second = await build_payee(
            conn,
            authority_id=setup.payee.authority_id,
            organisation_id=setup.payee.organisation_id,
            payment_basis="actuals",
        )
        other_contract = await add_confirmed_week(
            conn, second, week_commencing=WEEK, totals=[Decimal("2.00")]
        )
        stranger = await invoicer(conn, env, authority_id=setup.payee.authority_id)
        theirs = await add_confirmed_week(
            conn, stranger.payee, week_commencing=WEEK, totals=[Decimal("3.00")]
        )
    missing = uuid.uuid4()
    contract = str(setup.payee.contract_id)
    answer = await post(
        api,
        setup,
        {
            "contract_id": contract,
            "week_ids": [str(good), str(unlocked), str(other_contract), str(theirs), str(missing)],
        },
    )
    assert answer.status_code == 422, answer.text
    assert code(answer) == "week-not-invoiceable"
    said = fields(answer)
    assert set(said) == {"week_ids[1]", "week_ids[2]", "week_ids[3]", "week_ids[4]"}
    assert "not confirmed" in said["week_ids[1]"]
    assert "another contract" in said["week_ids[2]"]
    assert said["week_ids[3]"] == f"there is no confirmed week {theirs} that you can see"
    assert said["week_ids[4]"] == f"there is no confirmed week {missing} that you can see"  # the same words
    assert stranger.payee.contract_name not in answer.text
    assert await rows_of(env, setup.payee.organisation_id) == []
    assert await rows_of(env, stranger.payee.organisation_id) == []


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ({"week_ids": []}, "week_ids", "no-weeks"),
        ({"week_ids": "twice"}, "week_ids[1]", "duplicate-week"),
        ({"provider_reference": "x" * 101}, "provider_reference", "invalid-field"),
    ],
)
async def test_a_bad_list_of_weeks_or_reference_is_named(api, env, body, field, problem):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
    given = body.get("week_ids", [str(week)])
    weeks = [str(week), str(week)] if given == "twice" else given
    answer = await post(api, setup, {"contract_id": str(setup.payee.contract_id), **body, "week_ids": weeks})
    assert answer.status_code == 422, answer.text
    assert code(answer) == problem and field in fields(answer)
    assert await rows_of(env, setup.payee.organisation_id) == []


async def test_a_week_on_a_standing_invoice_is_refused_naming_that_invoice(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
        fresh = await add_confirmed_week(
            conn, setup.payee, week_commencing=WEEK + timedelta(days=7), totals=[Decimal("1.00")]
        )
    made = await create(api, setup, [week])
    before = await rows_of(env, setup.payee.organisation_id)
    answer = await post(
        api, setup, {"contract_id": str(setup.payee.contract_id), "week_ids": [str(fresh), str(week)]}
    )
    assert answer.status_code == 409, answer.text
    assert code(answer) == "week-invoiced"
    assert fields(answer) == {"week_ids[1]": f"the week of 30/09/2019 is already on invoice {made['number']}"}
    assert await rows_of(env, setup.payee.organisation_id) == before


async def test_a_contract_of_another_provider_or_not_on_actuals_is_refused(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
        planned = await build_payee(
            conn, authority_id=setup.payee.authority_id, organisation_id=setup.payee.organisation_id
        )
        stranger = await invoicer(conn, env, authority_id=setup.payee.authority_id)
    answer = await post(api, setup, {"contract_id": str(stranger.payee.contract_id), "week_ids": [str(week)]})
    assert answer.status_code == 404 and code(answer) == "contract-not-found"
    answer = await post(api, setup, {"contract_id": str(planned.contract_id), "week_ids": [str(week)]})
    assert answer.status_code == 422 and code(answer) == "not-actuals-payable"
    assert "contract_id" in fields(answer)
    assert await rows_of(env, setup.payee.organisation_id) == []


async def test_retracting_a_draft_a_retracted_invoice_or_without_a_reason_is_refused(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        one = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
        two = await add_confirmed_week(
            conn, setup.payee, week_commencing=WEEK + timedelta(days=7), totals=[Decimal("1.00")]
        )
    draft = await create(api, setup, [one])
    sent = await submit(api, setup, await create(api, setup, [two]))

    async def attempt(invoice, **body):
        return await api.post(
            f"{API}/invoices/{invoice['invoice_id']}/retract",
            json={"version": invoice["version"], **body},
            headers=setup.auth,
        )

    before = await rows_of(env, setup.payee.organisation_id)
    answer = await attempt(draft, reason="No")
    assert answer.status_code == 409 and code(answer) == "invoice-draft"
    for reason in ({}, {"reason": "   "}):
        answer = await attempt(sent, **reason)
        assert answer.status_code == 422 and code(answer) == "reason-required", answer.text
        assert fields(answer) == {"reason": "say why the invoice is retracted"}
    answer = await attempt({**sent, "version": 1}, reason="Stale")
    assert answer.status_code == 409 and code(answer) == "stale-version"
    assert await rows_of(env, setup.payee.organisation_id) == before
    note = await retract(api, setup, sent)
    after = await rows_of(env, setup.payee.organisation_id)
    answer = await attempt({**sent, "version": 3}, reason="Again")
    assert answer.status_code == 409 and code(answer) == "invoice-retracted"
    assert note["number"] in answer.json()["detail"]
    assert await rows_of(env, setup.payee.organisation_id) == after
    note_again = await api.post(
        f"{API}/invoices/{note['invoice_id']}/retract", json={"version": 1, "reason": "x"}, headers=setup.auth
    )
    assert note_again.status_code == 409 and code(note_again) == "not-an-invoice"


async def test_only_a_draft_is_deleted_and_only_at_its_version(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
    made = await create(api, setup, [week])
    stale = await api.delete(
        f"{API}/invoices/{made['invoice_id']}", params={"version": 2}, headers=setup.auth
    )
    assert stale.status_code == 409 and code(stale) == "stale-version"
    sent = await submit(api, setup, made)
    before = await rows_of(env, setup.payee.organisation_id)
    answer = await api.delete(
        f"{API}/invoices/{made['invoice_id']}", params={"version": sent["version"]}, headers=setup.auth
    )
    assert answer.status_code == 409 and code(answer) == "not-a-draft"
    assert "retract it instead" in answer.json()["detail"]
    assert await rows_of(env, setup.payee.organisation_id) == before


async def test_a_draft_whose_week_was_unlocked_is_not_submitted(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
    made = await create(api, setup, [week])
    async with payments_conn(env) as conn:
        await conn.execute("UPDATE payments.confirmed_week SET confirmed = false WHERE week_id = $1", week)
    before = await rows_of(env, setup.payee.organisation_id)
    answer = await api.post(
        f"{API}/invoices/{made['invoice_id']}/submit", json={"version": 1}, headers=setup.auth
    )
    assert answer.status_code == 422 and code(answer) == "week-not-invoiceable"
    assert fields(answer) == {"week_ids": "the week of 30/09/2019 is no longer confirmed"}
    assert await rows_of(env, setup.payee.organisation_id) == before
    assert await published(env, SUBMITTED, made["invoice_id"]) == []


async def test_read_only_and_care_users_see_invoices_but_cannot_change_them(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
    made = await create(api, setup, [week])
    reader = bearer(finance_token(env, setup.payee, can_edit=False))
    assert (await api.get(f"{API}/invoices/{made['invoice_id']}", headers=reader)).status_code == 200
    refused = [
        await api.post(
            f"{API}/invoices",
            json={"contract_id": str(setup.payee.contract_id), "week_ids": [str(week)]},
            headers=reader,
        ),
        await api.post(f"{API}/invoices/{made['invoice_id']}/submit", json={"version": 1}, headers=reader),
        await api.delete(f"{API}/invoices/{made['invoice_id']}", params={"version": 1}, headers=reader),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    care = bearer(finance_token(env, setup.payee, role=Role.care))
    assert (await api.get(f"{API}/invoices", headers=care)).status_code == 403
    council = bearer(env.council_token(setup.payee.authority_id))
    assert (await api.get(f"{API}/invoices", headers=council)).status_code == 403
    assert (await api.get(f"{API}/invoices/{made['invoice_id']}", headers=setup.auth)).json()["version"] == 1


async def test_two_invoices_for_one_week_at_once_one_wins_the_other_is_told(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
    body = {"contract_id": str(setup.payee.contract_id), "week_ids": [str(week)]}
    answers = await asyncio.gather(*(post(api, setup, body) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409], [a.text for a in answers]
    assert {code(a) for a in answers if a.status_code == 409} == {"week-invoiced"}
    rows = await rows_of(env, setup.payee.organisation_id)
    invoices = [r for r in rows if "kind" in r]
    assert len(invoices) == 1 and invoices[0]["total"] == Decimal("656.11")


async def test_submitting_twice_at_once_publishes_one_event(api, env):
    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=list(DURHAM))
    made = await create(api, setup, [week])
    answers = await asyncio.gather(*(submit(api, setup, made) for _ in range(3)))
    assert {a["status"] for a in answers} == {"submitted"} and {a["version"] for a in answers} == {2}
    assert len(await published(env, SUBMITTED, made["invoice_id"])) == 1


async def test_the_unique_index_stands_behind_the_check_for_a_week_on_two_standing_invoices(env):
    """Were the check ever passed (two writers not holding the week's lock), the database refuses the
    second standing line of a week's client; a credit note's lines do not stand and never clash."""
    import asyncpg

    from payments.domain.invoices import Line
    from payments.store import invoices as store

    async with payments_conn(env) as conn:
        setup = await invoicer(conn, env)
        week = await add_confirmed_week(conn, setup.payee, week_commencing=WEEK, totals=[Decimal("1.00")])
        client = setup.payee.client_ids[0]
        line = Line(week, setup.payee.service_id, WEEK, client, Decimal("1.00"), Decimal("0.00"))
        common = {
            "authority_id": setup.payee.authority_id,
            "organisation_id": setup.payee.organisation_id,
            "contract_id": setup.payee.contract_id,
            "provider_reference": None,
            "issue_date": WEEK,
            "created_by": "test",
        }
        await store.add(
            conn, kind="invoice", number=f"T-{uuid.uuid4().hex[:8]}", status="draft", lines=[line], **common
        )
        await store.add(
            conn,
            kind="credit_note",
            number=f"T-{uuid.uuid4().hex[:8]}",
            status="issued",
            lines=[line],
            **common,
        )
        with pytest.raises(asyncpg.UniqueViolationError, match="invoice_line_week_once"):
            await store.add(
                conn,
                kind="invoice",
                number=f"T-{uuid.uuid4().hex[:8]}",
                status="draft",
                lines=[line],
                **common,
            )
