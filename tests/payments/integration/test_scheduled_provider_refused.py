"""Every bad confirm or dispute is refused precisely (an RFC 9457 problem with a code, and the field where
one is wrong) and changes nothing: the payment's and lines' rows as they were, nothing published."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

import pytest

from tests.payments.integration.scheduled import (
    CONFIRMED,
    DISPUTED,
    finance,
    payee_with_payment,
    published,
    requests_of,
    rows_of,
)
from tests.payments.support import API, bearer, payments_api, payments_conn, seed_payment

SP = f"{API}/scheduled-payments"


@pytest.fixture(scope="module")
async def api(env):
    async with payments_api(env) as client:
        yield client


async def refused(api, env, payment_id, method_path_body, auth, *, status, code, field=None):
    before = await rows_of(env, payment_id)
    path, body = method_path_body
    answer = await api.post(path, json=body, headers=auth)
    assert answer.status_code == status, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert problem["type"] == f"urn:provider-portal:problem:{code}", problem
    if field is not None:
        assert [e["field"] for e in problem["errors"]] == [field], problem
    assert await rows_of(env, payment_id) == before
    assert await published(env, CONFIRMED, payment_id) == []
    assert await published(env, DISPUTED, payment_id) == []
    return problem


async def test_confirming_a_finalised_payment(api, env):
    payee, paid = await payee_with_payment(env, status="finalised")
    problem = await refused(
        api,
        env,
        paid.payment_id,
        (f"{SP}/{paid.payment_id}/confirm", {"version": 1}),
        finance(env, payee),
        status=409,
        code="payment-finalised",
    )
    assert "finalised" in problem["detail"]


async def test_confirming_a_confirmed_or_disputed_payment(api, env):
    for status in ("confirmed", "disputed"):
        payee, paid = await payee_with_payment(env, status=status)
        await refused(
            api,
            env,
            paid.payment_id,
            (f"{SP}/{paid.payment_id}/confirm", {"version": 1}),
            finance(env, payee),
            status=409,
            code=f"payment-{status}",
        )


async def test_confirming_or_disputing_another_providers_payment_is_not_found(api, env):
    mine, _ = await payee_with_payment(env)
    theirs, paid = await payee_with_payment(env)
    async with payments_conn(env) as conn:  # same authority, another organisation
        from tests.payments.support import build_payee

        neighbour = await build_payee(conn, authority_id=theirs.authority_id, organisation_id=uuid.uuid4())
    for payee in (mine, neighbour):
        for path, body in (
            (f"{SP}/{paid.payment_id}/confirm", {"version": 1}),
            (f"{SP}/{paid.payment_id}/dispute", {"version": 1, "reason": "no", "line_ids": []}),
        ):
            await refused(
                api,
                env,
                paid.payment_id,
                (path, body),
                finance(env, payee),
                status=404,
                code="payment-not-found",
            )
    assert await requests_of(env, theirs.organisation_id) == []


async def test_a_stale_version_is_a_conflict_naming_it(api, env):
    payee, paid = await payee_with_payment(env)
    auth = finance(env, payee)
    for path, body in (
        (f"{SP}/{paid.payment_id}/confirm", {"version": 7}),
        (f"{SP}/{paid.payment_id}/dispute", {"version": 7, "reason": "Bart left", "line_ids": []}),
    ):
        problem = await refused(
            api, env, paid.payment_id, (path, body), auth, status=409, code="stale-version"
        )
        assert "version 7" in problem["detail"] and "version" in problem["detail"]


async def test_disputing_without_a_reason(api, env):
    payee, paid = await payee_with_payment(env)
    for reason in (None, "", "   "):
        await refused(
            api,
            env,
            paid.payment_id,
            (f"{SP}/{paid.payment_id}/dispute", {"version": 1, "reason": reason, "line_ids": []}),
            finance(env, payee),
            status=422,
            code="reason-required",
            field="reason",
        )
    await refused(
        api,
        env,
        paid.payment_id,
        (f"{SP}/{paid.payment_id}/dispute", {"version": 1, "reason": "x" * 1001, "line_ids": []}),
        finance(env, payee),
        status=422,
        code="invalid-field",
        field="reason",
    )
    assert await requests_of(env, payee.organisation_id) == []


async def test_disputing_a_line_twice(api, env):
    payee, paid = await payee_with_payment(env)
    auth = finance(env, payee)
    first = await api.post(
        f"{SP}/{paid.payment_id}/dispute",
        json={"version": 1, "reason": "Bart left", "line_ids": [str(paid.line_ids[0])]},
        headers=auth,
    )
    assert first.status_code == 200, first.text
    before = await rows_of(env, paid.payment_id)
    answer = await api.post(
        f"{SP}/{paid.payment_id}/dispute",
        json={"version": 2, "reason": "again", "line_ids": [str(paid.line_ids[0])]},
        headers=auth,
    )
    assert answer.status_code == 409 and answer.json()["type"].endswith(":line-already-disputed"), answer.text
    assert str(paid.line_ids[0]) in answer.json()["detail"]
    assert await rows_of(env, paid.payment_id) == before
    assert len(await published(env, DISPUTED, paid.payment_id)) == 1
    assert len(await requests_of(env, payee.organisation_id)) == 1


async def test_a_line_of_another_payment_or_named_twice(api, env):
    payee, paid = await payee_with_payment(env)
    async with payments_conn(env) as conn:
        other = await seed_payment(conn, payee, period_start=date(2019, 10, 7), amounts=[Decimal("1.00")])
    other_before = await rows_of(env, other.payment_id)
    for line_ids, code in (
        ([str(other.line_ids[0])], "unknown-line"),
        ([str(uuid.uuid4())], "unknown-line"),
        ([str(paid.line_ids[0]), str(paid.line_ids[0])], "duplicate-line"),
    ):
        problem = await refused(
            api,
            env,
            paid.payment_id,
            (f"{SP}/{paid.payment_id}/dispute", {"version": 1, "reason": "wrong", "line_ids": line_ids}),
            finance(env, payee),
            status=422,
            code=code,
            field="line_ids",
        )
        if code == "unknown-line":
            assert line_ids[0] in problem["detail"]
    assert await rows_of(env, other.payment_id) == other_before


async def test_disputing_a_confirmed_or_finalised_payment(api, env):
    for status in ("confirmed", "finalised"):
        payee, paid = await payee_with_payment(env, status=status)
        await refused(
            api,
            env,
            paid.payment_id,
            (f"{SP}/{paid.payment_id}/dispute", {"version": 1, "reason": "late", "line_ids": []}),
            finance(env, payee),
            status=409,
            code=f"payment-{status}",
        )


async def test_read_only_people_api_keys_and_the_council_cannot_confirm_or_dispute(api, env):
    from shared.auth import PrincipalKind, Role

    payee, paid = await payee_with_payment(env)
    key = bearer(
        env.token(
            authority_id=payee.authority_id,
            organisation_id=payee.organisation_id,
            role=Role.finance,
            kind=PrincipalKind.api_key,
        )
    )
    council = bearer(env.council_user_token(payee.authority_id))
    care = bearer(
        env.token(authority_id=payee.authority_id, organisation_id=payee.organisation_id, role=Role.care)
    )
    confirm = (f"{SP}/{paid.payment_id}/confirm", {"version": 1})
    dispute = (f"{SP}/{paid.payment_id}/dispute", {"version": 1, "reason": "no", "line_ids": []})
    for auth, call in (
        (finance(env, payee, can_edit=False), confirm),
        (finance(env, payee, can_edit=False), dispute),
        (key, dispute),
        (council, confirm),
        (care, confirm),
    ):
        before = await rows_of(env, paid.payment_id)
        answer = await api.post(call[0], json=call[1], headers=auth)
        assert answer.status_code == 403, answer.text
        assert await rows_of(env, paid.payment_id) == before
    read = await api.get(f"{SP}/{paid.payment_id}", headers=finance(env, payee, can_edit=False))
    assert read.status_code == 200


async def test_a_bad_financial_year_is_named(api, env):
    payee, _ = await payee_with_payment(env)
    for year in ("2019/2021", "0000/0001"):
        answer = await api.get(SP, params={"financial_year": year}, headers=finance(env, payee))
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "financial_year", (
            answer.text
        )
        assert answer.json()["type"].endswith(":invalid-year"), answer.text


async def test_half_a_surrogate_pair_in_a_reason_is_refused_naming_it_and_an_emoji_is_kept(api, env):
    """JSON can carry half a UTF-16 pair ("\\ud83d" without its other half), which PostgreSQL cannot store:
    a 422 at the reason naming the code point, not a 500, and nothing changed or published. The whole pair
    (an emoji) is a character and is kept. The bodies are json.dumps'd: httpx's json= cannot encode half."""
    payee, paid = await payee_with_payment(env)
    auth = {**finance(env, payee), "content-type": "application/json"}
    path = f"{SP}/{paid.payment_id}/dispute"
    before = await rows_of(env, paid.payment_id)
    body = {"version": 1, "reason": "Bart left \ud83d", "line_ids": []}
    answer = await api.post(path, content=json.dumps(body), headers=auth)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"] == "urn:provider-portal:problem:invalid-field", problem
    assert problem["detail"] == (
        "reason: contains half of a UTF-16 surrogate pair (U+D83D), which is not a character: remove it"
    )
    assert [e["field"] for e in problem["errors"]] == ["reason"]
    assert await rows_of(env, paid.payment_id) == before
    assert await published(env, DISPUTED, paid.payment_id) == []
    assert await requests_of(env, payee.organisation_id) == []

    kept = await api.post(path, content=json.dumps({**body, "reason": "Bart left \U0001f622"}), headers=auth)
    assert kept.status_code == 200, kept.text
    _, lines = await rows_of(env, paid.payment_id)
    assert {line["dispute_reason"] for line in lines} == {"Bart left \U0001f622"}
