"""The cross-tenant harness over payments' council API (schedules, periods, runs): the council of
authority B cannot read, list, move, run or finalise anything of authority A's (404 as for a missing id,
never A's strings), and A's rows stay as they were."""

from __future__ import annotations

import json
import uuid

from tests.payments.integration.run_harness import (
    WEEK_1,
    council,
    finalise,
    payee,
    put_schedules,
    run_and_compute,
    schedule,
    snapshot,
)
from tests.payments.support import COUNCIL_API, payments_api, payments_conn


async def test_another_authoritys_schedules_periods_and_runs_answer_404_and_change_nothing(env):
    a = await payee(env, label="Tenant-A")
    b = await payee(env, label="Tenant-B")
    async with payments_api(env) as api:
        await schedule(api, env, a)
        await schedule(api, env, b)
        run_a = await run_and_compute(api, env, a.authority_id, WEEK_1)
        await run_and_compute(api, env, b.authority_id, WEEK_1)
        async with payments_conn(env) as conn:
            period_a = await conn.fetchval(
                "SELECT period_id FROM payments.period WHERE contract_id = $1 AND start_date = $2",
                a.contract_id,
                WEEK_1,
            )
        before = await snapshot(env, a.authority_id)
        as_b = council(env, b.authority_id)
        move = {
            "last_amendment_date": "2019-10-07",
            "finalisation_date": "2019-10-08",
            "pay_date": "2019-10-11",
        }
        answers = [
            await api.get(f"{COUNCIL_API}/schedules/{a.contract_id}", headers=as_b),
            await api.get(f"{COUNCIL_API}/schedules/{a.contract_id}/periods", headers=as_b),
            await api.patch(f"{COUNCIL_API}/periods/{period_a}", json=move, headers=as_b),
            await api.get(f"{COUNCIL_API}/runs/{run_a}", headers=as_b),
            await finalise(api, env, b.authority_id, run_a),
        ]
        missing = [
            await api.get(f"{COUNCIL_API}/schedules/{uuid.uuid4()}", headers=as_b),
            await api.get(f"{COUNCIL_API}/runs/{uuid.uuid4()}", headers=as_b),
        ]
        bulk = await put_schedules(
            api, as_b, [{"contract_id": str(a.contract_id), "anchor_date": str(WEEK_1)}]
        )
        listed = await api.get(f"{COUNCIL_API}/runs", headers=as_b)
    assert [r.status_code for r in answers] == [404] * 5
    assert {r.json()["type"] for r in answers[:2]} == {missing[0].json()["type"]}
    assert answers[3].json()["type"] == missing[1].json()["type"]
    assert bulk.status_code == 422 and bulk.json()["errors"][0]["field"] == "contract_id"
    assert str(run_a) not in listed.text and len(listed.json()) == 1
    # Nothing of A's in B's answers, but the ids B itself sent (a problem's `instance` is the path asked).
    sent = {str(a.contract_id)}
    for answer in [*answers, bulk, listed]:
        body = answer.json()
        text = json.dumps(
            {k: v for k, v in body.items() if k != "instance"} if isinstance(body, dict) else body
        )
        for marker in a.markers() - sent:
            assert marker not in text
    assert await snapshot(env, a.authority_id) == before
