"""Payment schedules and the calendar through the council API: defaults from the contract, periods from
the anchor to the end of the next financial year, moved dates kept, and every bad input refused with
nothing written; another authority's contracts and periods are not found."""

from __future__ import annotations

import uuid
from datetime import date

from tests.payments.integration.run_harness import WEEK_1, council, payee, put_schedules, schedule, snapshot
from tests.payments.support import COUNCIL_API, payments_api


async def test_a_schedule_takes_the_contracts_defaults_and_lays_its_calendar(env):
    who = await payee(env, vat_registered=True, frequency="four_weekly")
    async with payments_api(env) as api:
        await schedule(api, env, who, anchor=date(2019, 4, 1))
        read = await api.get(
            f"{COUNCIL_API}/schedules/{who.contract_id}", headers=council(env, who.authority_id)
        )
        periods = await api.get(
            f"{COUNCIL_API}/schedules/{who.contract_id}/periods",
            params={"financial_year": "2019/2020"},
            headers=council(env, who.authority_id),
        )
    body = read.json()
    assert (
        body["frequency"],
        body["vat_rate"],
        body["amendment_days"],
        body["finalisation_days"],
        body["pay_days"],
    ) == ("four_weekly", "0.2000", 2, 4, 9)
    found = periods.json()
    assert len(found) == 14  # 1 April 2019 + 13 x 28 days reaches 30 March 2020
    assert (
        found[0]["start_date"],
        found[0]["end_date"],
        found[0]["last_amendment_date"],
        found[0]["pay_date"],
    ) == ("2019-04-01", "2019-04-28", "2019-04-30", "2019-05-07")
    assert found[1]["start_date"] == "2019-04-29"


async def test_a_moved_period_keeps_its_dates_when_the_schedule_is_put_again(env):
    who = await payee(env)
    headers = council(env, who.authority_id)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        [first, second, *_] = (
            await api.get(
                f"{COUNCIL_API}/schedules/{who.contract_id}/periods",
                params={"financial_year": "2019/2020"},
                headers=headers,
            )
        ).json()
        christmas = {
            "last_amendment_date": "2019-10-07",
            "finalisation_date": "2019-10-08",
            "pay_date": "2019-10-11",
        }
        moved = await api.patch(
            f"{COUNCIL_API}/periods/{first['period_id']}", json=christmas, headers=headers
        )
        assert moved.status_code == 200 and moved.json()["moved"] is True
        disorder = await api.patch(
            f"{COUNCIL_API}/periods/{second['period_id']}",
            json={**christmas, "finalisation_date": "2019-10-20"},
            headers=headers,
        )
        assert disorder.status_code == 422 and disorder.json()["type"].endswith(":dates-out-of-order")
        await schedule(api, env, who, pay_days=10)
        again = (
            await api.get(
                f"{COUNCIL_API}/schedules/{who.contract_id}/periods",
                params={"financial_year": "2019/2020"},
                headers=headers,
            )
        ).json()
    assert again[0]["pay_date"] == "2019-10-11"  # moved: kept
    assert again[1]["pay_date"] == "2019-10-23"  # 13 October + 10 days
    assert again[1]["finalisation_date"] == "2019-10-17"


async def test_bad_items_and_another_authoritys_contract_are_refused_and_nothing_is_written(env):
    who = await payee(env)
    stranger = await payee(env)
    headers = council(env, who.authority_id)
    async with payments_api(env) as api:
        before = await snapshot(env, who.authority_id)
        answer = await put_schedules(
            api,
            headers,
            [
                {"contract_id": str(who.contract_id), "anchor_date": str(WEEK_1)},
                {"contract_id": str(stranger.contract_id), "anchor_date": str(WEEK_1)},
                {"contract_id": str(who.contract_id), "anchor_date": "2019-09-31"},
                {"contract_id": str(uuid.uuid4()), "anchor_date": str(WEEK_1), "frequency": "monthly"},
                {
                    "contract_id": str(uuid.uuid4()),
                    "anchor_date": str(WEEK_1),
                    "amendment_days": 5,
                    "finalisation_days": 4,
                },
            ],
        )
        assert answer.status_code == 422, answer.text
        faults = {(e["index"], e["field"]) for e in answer.json()["errors"]}
        assert {(1, "contract_id"), (2, "anchor_date"), (3, "frequency"), (4, "finalisation_days")} <= faults
        assert (0, "contract_id") not in faults
        assert await snapshot(env, who.authority_id) == before
        assert await snapshot(env, stranger.authority_id) == await snapshot(env, stranger.authority_id)
        # Another authority's schedule, periods and period: not found, unchanged.
        await schedule(api, env, stranger)
        theirs = await snapshot(env, stranger.authority_id)
        [period, *_] = (
            await api.get(
                f"{COUNCIL_API}/schedules/{stranger.contract_id}/periods",
                headers=council(env, stranger.authority_id),
            )
        ).json()
        assert (
            await api.get(f"{COUNCIL_API}/schedules/{stranger.contract_id}", headers=headers)
        ).status_code == 404
        assert (
            await api.get(f"{COUNCIL_API}/schedules/{stranger.contract_id}/periods", headers=headers)
        ).status_code == 404
        move = {
            "last_amendment_date": "2019-10-07",
            "finalisation_date": "2019-10-08",
            "pay_date": "2019-10-11",
        }
        assert (
            await api.patch(f"{COUNCIL_API}/periods/{period['period_id']}", json=move, headers=headers)
        ).status_code == 404
        # A provider cannot use the council API.
        provider = {
            "authorization": f"Bearer {env.token(authority_id=who.authority_id, organisation_id=who.organisation_id)}"
        }
        assert (
            await put_schedules(
                api, provider, [{"contract_id": str(who.contract_id), "anchor_date": str(WEEK_1)}]
            )
        ).status_code == 403
    assert await snapshot(env, stranger.authority_id) == theirs
    assert await snapshot(env, who.authority_id) == before


async def test_a_period_moved_past_the_calendars_ends_is_refused_at_each_date(env):
    """asyncpg keeps 0001-01-01 and 9999-12-31 as -infinity and infinity, which the payment run's and the
    reports' SQL cannot read: a moved date is 2000 to 2099 (shared.dates), like an anchor."""
    who = await payee(env)
    headers = council(env, who.authority_id)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        [period, *_] = (
            await api.get(
                f"{COUNCIL_API}/schedules/{who.contract_id}/periods",
                params={"financial_year": "2019/2020"},
                headers=headers,
            )
        ).json()
        before = await snapshot(env, who.authority_id)
        far = {
            "last_amendment_date": "0001-01-01",
            "finalisation_date": "2019-10-08",
            "pay_date": "9999-12-31",
        }
        answer = await api.patch(f"{COUNCIL_API}/periods/{period['period_id']}", json=far, headers=headers)
        assert answer.status_code == 422, answer.text
        assert [(e["field"], e["message"]) for e in answer.json()["errors"]] == [
            ("last_amendment_date", "must be from 2000-01-01 to 2099-12-31 (it is 0001-01-01)"),
            ("pay_date", "must be from 2000-01-01 to 2099-12-31 (it is 9999-12-31)"),
        ]
        assert await snapshot(env, who.authority_id) == before


async def test_a_vat_rate_below_zero_is_refused_by_index_and_field(env):
    """A rate below 0 broke the database's CHECK (500)."""
    who = await payee(env)
    headers = council(env, who.authority_id)
    async with payments_api(env) as api:
        before = await snapshot(env, who.authority_id)
        answer = await put_schedules(
            api,
            headers,
            [
                {"contract_id": str(who.contract_id), "anchor_date": str(WEEK_1), "vat_rate": "-0.2000"},
                {"contract_id": str(uuid.uuid4()), "anchor_date": str(WEEK_1), "vat_rate": "-0.0001"},
            ],
        )
        assert answer.status_code == 422, answer.text
        faults = {(e["index"], e["field"]): e["message"] for e in answer.json()["errors"]}
        assert (
            faults[0, "vat_rate"]
            == faults[1, "vat_rate"]
            == "a rate such as 0.2000 for 20%, from 0 to below 1"
        )
        assert await snapshot(env, who.authority_id) == before
        await schedule(api, env, who, vat_rate="0.0000")


async def test_an_anchor_outside_2000_to_2099_is_refused_by_index_and_field(env):
    """An anchor in year 1 laid ~105k weekly periods or broke the date arithmetic (500); one in 9998 was
    refused as a financial year, naming no item."""
    who = await payee(env)
    headers = council(env, who.authority_id)
    anchors = ["0001-01-01", "0001-06-04", "1999-12-31", "2100-01-01", "9998-06-01"]
    async with payments_api(env) as api:
        before = await snapshot(env, who.authority_id)
        answer = await put_schedules(
            api,
            headers,
            [
                {"contract_id": str(who.contract_id if n == 0 else uuid.uuid4()), "anchor_date": day}
                for n, day in enumerate(anchors)
            ],
        )
        assert answer.status_code == 422, answer.text
        faults = {(e["index"], e["field"]): e["message"] for e in answer.json()["errors"]}
        for index in range(len(anchors)):
            assert faults.get((index, "anchor_date")) == (
                f"must be from 2000-01-01 to 2099-12-31 (it is {anchors[index]})"
            ), answer.text
        assert await snapshot(env, who.authority_id) == before
        await schedule(api, env, who, anchor=date(2099, 12, 28))


async def test_a_bad_financial_year_for_the_periods_is_invalid_year_at_its_field(env):
    who = await payee(env)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        for year in ("0000/0001", "2026", "2019/2021"):
            answer = await api.get(
                f"{COUNCIL_API}/schedules/{who.contract_id}/periods",
                params={"financial_year": year},
                headers=council(env, who.authority_id),
            )
            assert answer.status_code == 422, answer.text
            problem = answer.json()
            assert problem["type"].endswith(":invalid-year"), problem
            assert [e["field"] for e in problem["errors"]] == ["financial_year"], problem
