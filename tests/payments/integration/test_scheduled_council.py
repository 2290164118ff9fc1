"""The council's side of scheduled payments: its payments listed and read, a line amended before the
provider confirms (VAT at the schedule's rate, the totals following), and the providers' disputes
decided: approve keeps the lines unpaid, reject makes them payable again."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from tests.payments.integration.scheduled import (
    REQUEST,
    council,
    finance,
    payee_with_payment,
    published,
    requests_of,
    rows_of,
)
from tests.payments.support import API, COUNCIL_API, payments_api, payments_conn

SP = f"{COUNCIL_API}/scheduled-payments"
PROBLEM = "urn:provider-portal:problem:"


@pytest.fixture(scope="module")
async def api(env):
    async with payments_api(env) as client:
        yield client


async def dispute(api, env, payee, paid, line_ids, reason="Bart left on 3 October", version=1):
    answer = await api.post(
        f"{API}/scheduled-payments/{paid.payment_id}/dispute",
        json={"version": version, "reason": reason, "line_ids": [str(i) for i in line_ids]},
        headers=finance(env, payee),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_council_lists_and_reads_its_payments(api, env):
    payee, paid = await payee_with_payment(env)
    listed = await api.get(
        SP, params={"organisation_id": str(payee.organisation_id)}, headers=council(env, payee)
    )
    assert listed.status_code == 200, listed.text
    assert [(r["payment_id"], r["status"], r["total"]) for r in listed.json()] == [
        (str(paid.payment_id), "unconfirmed", "656.11")
    ]
    none = await api.get(
        SP,
        params={"organisation_id": str(payee.organisation_id), "status": "finalised"},
        headers=council(env, payee),
    )
    assert none.json() == []
    bad = await api.get(SP, params={"status": "paid"}, headers=council(env, payee))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    got = await api.get(f"{SP}/{paid.payment_id}", headers=council(env, payee))
    assert got.json()["total"] == "656.11" and len(got.json()["lines"]) == 2
    provider = await api.get(SP, headers=finance(env, payee))
    assert provider.status_code == 403


async def test_an_amendment_recomputes_vat_and_the_totals(api, env):
    payee, paid = await payee_with_payment(env, vat_rate=Decimal("0.2"))
    line = paid.line_ids[0]
    answer = await api.patch(
        f"{SP}/{paid.payment_id}/lines/{line}",
        json={"version": 1, "excl_vat": "300.05", "reason": "Bart left on 3 October"},
        headers=council(env, payee),
    )
    assert answer.status_code == 200, answer.text
    got = answer.json()
    # 300.05 * 0.2 = 60.01; the other line 303.03 + 60.61
    assert (got["excl_vat"], got["vat"], got["total"], got["version"]) == ("603.08", "120.62", "723.70", 2)
    head, lines = await rows_of(env, paid.payment_id)
    amended = next(row for row in lines if row["line_id"] == line)
    assert (amended["excl_vat"], amended["vat"], amended["total"]) == (
        Decimal("300.05"),
        Decimal("60.01"),
        Decimal("360.06"),
    )
    assert amended["amend_reason"] == "Bart left on 3 October" and amended["amended_by"]
    assert (head["total"], head["version"]) == (Decimal("723.70"), 2)


async def test_amendments_refused_change_nothing(api, env):
    for status in ("confirmed", "disputed", "finalised"):
        payee, paid = await payee_with_payment(env, status=status)
        before = await rows_of(env, paid.payment_id)
        answer = await api.patch(
            f"{SP}/{paid.payment_id}/lines/{paid.line_ids[0]}",
            json={"version": 1, "excl_vat": "1.00", "reason": "late"},
            headers=council(env, payee),
        )
        assert answer.status_code == 409 and answer.json()["type"] == f"{PROBLEM}payment-{status}", (
            answer.text
        )
        assert await rows_of(env, paid.payment_id) == before
    payee, paid = await payee_with_payment(env)
    _, other = await payee_with_payment(env)
    before = await rows_of(env, paid.payment_id)
    for line, body, status, code in (
        (paid.line_ids[0], {"version": 1, "excl_vat": "1.00", "reason": " "}, 422, "reason-required"),
        (paid.line_ids[0], {"version": 3, "excl_vat": "1.00", "reason": "x"}, 409, "stale-version"),
        (other.line_ids[0], {"version": 1, "excl_vat": "1.00", "reason": "x"}, 404, "line-not-found"),
        (uuid.uuid4(), {"version": 1, "excl_vat": "1.00", "reason": "x"}, 404, "line-not-found"),
        (paid.line_ids[0], {"version": 1, "excl_vat": "-50.00", "reason": "x"}, 422, "negative-amount"),
    ):
        answer = await api.patch(
            f"{SP}/{paid.payment_id}/lines/{line}", json=body, headers=council(env, payee)
        )
        assert answer.status_code == status and answer.json()["type"] == f"{PROBLEM}{code}", answer.text
    assert answer.json()["errors"] == [
        {
            "source": "body",
            "field": "excl_vat",
            "message": "must not be below £0.00 (it is -50.00): to take back money already paid, issue a credit note",
        }
    ]
    for body in (
        {"version": 1, "excl_vat": "1.001", "reason": "x"},
        {"version": 1, "excl_vat": 1.5, "reason": "x"},
    ):
        answer = await api.patch(
            f"{SP}/{paid.payment_id}/lines/{paid.line_ids[0]}", json=body, headers=council(env, payee)
        )
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "excl_vat", answer.text
    read_only = await api.patch(
        f"{SP}/{paid.payment_id}/lines/{paid.line_ids[0]}",
        json={"version": 1, "excl_vat": "1.00", "reason": "x"},
        headers=council(env, payee, can_edit=False),
    )
    assert read_only.status_code == 403
    assert await rows_of(env, paid.payment_id) == before


async def test_approving_a_dispute_keeps_its_lines_out_of_the_payment(api, env):
    payee, paid = await payee_with_payment(env)
    await dispute(api, env, payee, paid, [paid.line_ids[0]])
    pending = (await api.get(f"{COUNCIL_API}/disputes/pending", headers=council(env, payee))).json()
    mine = [d for d in pending if d["payment_id"] == str(paid.payment_id)]
    assert [(d["line_ids"], d["total"], d["whole_payment"], d["provider_reason"]) for d in mine] == [
        ([str(paid.line_ids[0])], "353.08", False, "Bart left on 3 October")
    ]
    request_id = mine[0]["request_id"]
    answer = await api.post(
        f"{COUNCIL_API}/disputes/{request_id}/decision",
        json={"decision": "approve"},
        headers=council(env, payee),
    )
    assert answer.status_code == 200 and answer.json()["status"] == "approved", answer.text
    head, lines = await rows_of(env, paid.payment_id)
    assert head["status"] == "disputed"
    assert sorted(row["status"] for row in lines) == ["disputed", "payable"]
    assert [e["status"] for e in await published(env, REQUEST, request_id)] == ["pending", "approved"]
    again = await api.post(
        f"{COUNCIL_API}/disputes/{request_id}/decision",
        json={"decision": "reject", "reason": "no"},
        headers=council(env, payee),
    )
    assert again.status_code == 409 and again.json()["type"] == f"{PROBLEM}already-decided"
    assert await rows_of(env, paid.payment_id) == (head, lines)


async def test_rejecting_a_dispute_makes_its_lines_payable_again(api, env):
    payee, paid = await payee_with_payment(env)
    await dispute(api, env, payee, paid, [paid.line_ids[0]])
    await dispute(api, env, payee, paid, [paid.line_ids[1]], reason="Lisa moved", version=2)
    first, second = await requests_of(env, payee.organisation_id)
    path = f"{COUNCIL_API}/disputes/{first['request_id']}/decision"
    before = await rows_of(env, paid.payment_id)
    no_reason = await api.post(path, json={"decision": "reject"}, headers=council(env, payee))
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    assert await rows_of(env, paid.payment_id) == before

    answer = await api.post(
        path, json={"decision": "reject", "reason": "Bart was there"}, headers=council(env, payee)
    )
    assert answer.status_code == 200 and answer.json()["reason"] == "Bart was there", answer.text
    head, lines = await rows_of(env, paid.payment_id)
    assert head["status"] == "disputed"  # Lisa's line is still disputed
    by_id = {row["line_id"]: row["status"] for row in lines}
    assert by_id == {paid.line_ids[0]: "payable", paid.line_ids[1]: "disputed"}

    await api.post(
        f"{COUNCIL_API}/disputes/{second['request_id']}/decision",
        json={"decision": "reject", "reason": "Lisa was there"},
        headers=council(env, payee),
    )
    head, lines = await rows_of(env, paid.payment_id)
    assert head["status"] == "unconfirmed" and {row["status"] for row in lines} == {"payable"}
    assert head["version"] == 5  # two disputes, two decisions
    confirm = await api.post(
        f"{API}/scheduled-payments/{paid.payment_id}/confirm",
        json={"version": 5},
        headers=finance(env, payee),
    )
    assert confirm.status_code == 200 and confirm.json()["payable_total"] == "656.11"


async def test_another_authoritys_dispute_is_not_found(api, env):
    payee, paid = await payee_with_payment(env)
    other, _ = await payee_with_payment(env)
    await dispute(api, env, payee, paid, [])
    [request] = await requests_of(env, payee.organisation_id)
    answer = await api.post(
        f"{COUNCIL_API}/disputes/{request['request_id']}/decision",
        json={"decision": "approve"},
        headers=council(env, other),
    )
    assert answer.status_code == 404
    assert (await requests_of(env, payee.organisation_id))[0]["status"] == "pending"
    pending = (await api.get(f"{COUNCIL_API}/disputes/pending", headers=council(env, other))).json()
    assert str(paid.payment_id) not in str(pending)


async def test_an_adjustment_line_may_be_amended_below_zero(api, env):
    """An adjustment is a difference from what an older period was paid (a back-dated rate cut makes it
    negative), so it alone may be amended below zero."""
    payee, paid = await payee_with_payment(env)
    line = paid.line_ids[0]
    async with payments_conn(env) as conn:
        await conn.execute("UPDATE payments.payment_line SET adjustment = true WHERE line_id = $1", line)
    answer = await api.patch(
        f"{SP}/{paid.payment_id}/lines/{line}",
        json={"version": 1, "excl_vat": "-12.50", "reason": "the rate fell from 1 September"},
        headers=council(env, payee),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["excl_vat"] == "290.53"  # -12.50 + 303.03


async def test_a_large_amendment_takes_vat_to_the_penny_and_one_too_large_is_refused_at_excl_vat(api, env):
    """Money goes up to £10bn, but VAT went through the number-of-units limit (£100m): a 422 naming
    `units`, without errors[]. A line or a payment whose total would not fit is refused at excl_vat."""
    payee, paid = await payee_with_payment(env, vat_rate=Decimal("0.2"))
    line = f"{SP}/{paid.payment_id}/lines/{paid.line_ids[0]}"
    answer = await api.patch(
        line,
        json={"version": 1, "excl_vat": "100000000.00", "reason": "a care home bought"},
        headers=council(env, payee),
    )
    assert answer.status_code == 200, answer.text
    amended = next(x for x in answer.json()["lines"] if x["line_id"] == str(paid.line_ids[0]))
    assert (amended["vat"], amended["total"]) == ("20000000.00", "120000000.00")
    assert answer.json()["total"] == "120000363.64"  # and 303.03 + 60.61
    before = await rows_of(env, paid.payment_id)
    # the line's total is over £10bn; then the line fits (9,999,999,999.99) but the payment does not
    for excl_vat in ("9999999999.99", "8333333333.33"):
        answer = await api.patch(
            line, json={"version": 2, "excl_vat": excl_vat, "reason": "x"}, headers=council(env, payee)
        )
        assert answer.status_code == 422 and answer.json()["type"] == f"{PROBLEM}amount-too-large", (
            answer.text
        )
        assert [e["field"] for e in answer.json()["errors"]] == ["excl_vat"]
        assert "10,000,000,000" in answer.json()["errors"][0]["message"]
    assert await rows_of(env, paid.payment_id) == before


async def test_an_approvals_reason_is_kept_and_answered(api, env):
    """The council's reason for approving was thrown away: 200 with "reason": null."""
    payee, paid = await payee_with_payment(env)
    await dispute(api, env, payee, paid, [paid.line_ids[0]])
    [request] = await requests_of(env, payee.organisation_id)
    path = f"{COUNCIL_API}/disputes/{request['request_id']}/decision"
    too_long = await api.post(
        path, json={"decision": "approve", "reason": "x" * 1001}, headers=council(env, payee)
    )
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "reason", too_long.text
    assert (await requests_of(env, payee.organisation_id))[0]["status"] == "pending"
    answer = await api.post(
        path,
        json={"decision": "approve", "reason": "  Agreed by finance FIN-123 "},
        headers=council(env, payee),
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["reason"]) == ("approved", "Agreed by finance FIN-123")
    async with payments_conn(env) as conn:
        kept = await conn.fetchval(
            "SELECT coalesce(reason, outcome->>'reason') FROM payments.decision_request WHERE request_id = $1",
            request["request_id"],
        )
    assert kept == "Agreed by finance FIN-123"
    # The decision's event says why too: a finance system or the provider's inbox needs no call back.
    events = await published(env, REQUEST, request["request_id"])
    assert (events[-1]["status"], events[-1]["reason"]) == ("approved", "Agreed by finance FIN-123")


async def test_an_approval_without_a_reason_has_none(api, env):
    payee, paid = await payee_with_payment(env)
    await dispute(api, env, payee, paid, [])
    [request] = await requests_of(env, payee.organisation_id)
    answer = await api.post(
        f"{COUNCIL_API}/disputes/{request['request_id']}/decision",
        json={"decision": "approve", "reason": "  "},
        headers=council(env, payee),
    )
    assert answer.status_code == 200 and answer.json()["reason"] is None, answer.text
