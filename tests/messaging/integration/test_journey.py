"""The seed's journey (seed 004 section 4) through the messaging APIs, on a frozen clock: a foster carer
opens a Foster Carer Query to Childrens Services Finance; a Comment stays with the council; the council's
Reply passes it to the provider; the provider's Reply passes it back; the provider asks for closure; the
council closes it with a reason; it is read-only, and found again with "Open Actions Only" unticked.
The lists' filters and status lights follow the due dates (green, amber, red) on the frozen day."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from tests.messaging.support import (
    API,
    COUNCIL,
    add_tenant,
    bearer,
    configure,
    messaging_api,
    messaging_conn,
    new_action,
    published,
    snapshot,
)
from tests.support import uploads

DAY = date(2026, 3, 2)  # a Monday


@pytest.fixture
async def setup(env):
    authority_id = uuid.uuid4()
    async with messaging_conn(env) as conn:
        tenant = await add_tenant(conn, authority_id=authority_id, label="journey")
    async with messaging_api(env, today=DAY) as api:
        config = await configure(api, env, authority_id)
    return tenant, config


async def test_the_seeds_journey_from_a_new_action_to_its_closure(env, setup):
    tenant, config = setup
    provider = tenant.headers(env)
    council = bearer(env.council_token(tenant.authority_id))
    query, finance = config["Foster Carer Query"], config["team:Childrens Services Finance"]
    async with messaging_api(env, today=DAY) as api:
        opened = await new_action(
            api,
            provider,
            type_id=query["type_id"],
            related_kind="provider",
            title="Dawn Stockton Query about my next payment",
            text="Please can you tell me when I'll get paid for the mileage I submitted?",
        )
        action_id = opened["action_id"]
        assert (opened["status"], opened["assigned_to"], opened["team_name"], opened["light"]) == (
            "open",
            "council",
            "Childrens Services Finance",
            "amber",
        )
        assert opened["team_id"] == finance["team_id"]  # the type's default team
        assert opened["related_label"] == tenant.organisation_name
        assert opened["due_date"] == (DAY + timedelta(days=query["response_days"])).isoformat()
        [first] = opened["posts"]
        assert (first["kind"], first["author_label"]) == ("opened", tenant.organisation_name)

        # A comment by the provider: in the conversation, the action stays with the council.
        thread = (
            await api.post(
                f"{API}/actions/{action_id}/comments", json={"text": "I drove 150 miles."}, headers=provider
            )
        ).json()
        assert thread["assigned_to"] == "council" and thread["posts"][-1]["kind"] == "comment"

        # The team's inbox holds it; the council replies: passed to the provider.
        inbox = (
            await api.get(f"{COUNCIL}/actions", params={"team_id": finance["team_id"]}, headers=council)
        ).json()
        assert [a["action_id"] for a in inbox] == [action_id]
        thread = (
            await api.post(
                f"{COUNCIL}/actions/{action_id}/replies", json={"text": "Paid on Friday."}, headers=council
            )
        ).json()
        assert thread["assigned_to"] == "provider"
        assert thread["posts"][-1]["author_label"] == "Childrens Services Finance"
        # A council comment does not pass it back.
        thread = (
            await api.post(
                f"{COUNCIL}/actions/{action_id}/comments",
                json={"text": "Checked with BACS."},
                headers=council,
            )
        ).json()
        assert thread["assigned_to"] == "provider"

        # The provider's list filtered by assigned-to.
        mine = (await api.get(f"{API}/actions", params={"assigned_to": "provider"}, headers=provider)).json()
        assert [a["action_id"] for a in mine] == [action_id]
        assert (
            await api.get(f"{API}/actions", params={"assigned_to": "council"}, headers=provider)
        ).json() == []

        # The provider replies (back to the council), attaches a file, then asks for closure.
        thread = (
            await api.post(
                f"{API}/actions/{action_id}/replies", json={"text": "Thank you."}, headers=provider
            )
        ).json()
        assert thread["assigned_to"] == "council"
        answer = await api.post(
            f"{API}/actions/{action_id}/attachments",
            files={"attachment": ("mileage.pdf", uploads.PDF, "application/pdf")},
            headers=provider,
        )
        assert answer.status_code == 200, answer.text
        [attached] = answer.json()["attachments"]
        download = await api.get(
            f"{COUNCIL}/actions/{action_id}/attachments/{attached['attachment_id']}", headers=council
        )
        assert download.status_code == 200 and download.content == uploads.PDF
        thread = (
            await api.post(f"{API}/actions/{action_id}/closure-request", json={}, headers=provider)
        ).json()
        assert (thread["status"], thread["assigned_to"]) == ("closure_requested", "council")

        # The council closes it with a reason: read-only, out of the open list, in the full one.
        thread = (
            await api.post(
                f"{COUNCIL}/actions/{action_id}/close", json={"reason": "Paid on 4 October."}, headers=council
            )
        ).json()
        assert (thread["status"], thread["closed_reason"], thread["read_only"], thread["light"]) == (
            "closed",
            "Paid on 4 October.",
            True,
            "green",
        )
        assert [p["kind"] for p in thread["posts"]] == [
            "opened",
            "comment",
            "reply",
            "comment",
            "reply",
            "closure_request",
            "closed",
        ]
        assert (await api.get(f"{API}/actions", headers=provider)).json() == []
        everything = (await api.get(f"{API}/actions", params={"open_only": "false"}, headers=provider)).json()
        assert [a["action_id"] for a in everything] == [action_id]
        summary = (await api.get(f"{API}/summary", headers=provider)).json()
        assert summary == {"open": 0, "overdue": 0, "light": "green"}

    before = await snapshot(env, action_id)
    async with messaging_api(env, today=DAY) as api:
        refused = await api.post(
            f"{API}/actions/{action_id}/replies", json={"text": "One more thing"}, headers=provider
        )
    assert refused.status_code == 409 and refused.json()["type"].endswith("action-closed")
    assert await snapshot(env, action_id) == before

    # One full state per change, the closure request approved by the closure.
    states = await published(env, "messaging.action.upserted.v1", action_id)
    assert [s["change"] for s in states] == [
        "opened",
        "commented",
        "replied",
        "commented",
        "replied",
        "closure_requested",
        "closed",
    ]
    assert [s["revision"] for s in states] == list(range(1, 8))
    assert states[-1]["status"] == "closed" and states[-1]["closed_reason"] == "Paid on 4 October."
    [request] = [r for r in await _requests(env, action_id)]
    assert request["status"] == "approved"


async def _requests(env, action_id):
    async with messaging_conn(env) as conn:
        return await conn.fetch(
            "SELECT status FROM messaging.decision_request WHERE subject = $1", f"action:{action_id}"
        )


async def test_a_council_reply_keeps_an_action_open_and_answers_the_closure_request(env, setup):
    tenant, config = setup
    provider, council = tenant.headers(env), bearer(env.council_token(tenant.authority_id))
    async with messaging_api(env, today=DAY) as api:
        opened = await new_action(
            api,
            provider,
            type_id=config["CPLI Review"]["type_id"],
            related_kind="client",
            related_id=tenant.client_id,
            title="Review of Bart's package",
            text="His needs have changed.",
        )
        assert opened["related_label"] == tenant.client_name and opened["team_name"] == "Brokerage"
        action_id = opened["action_id"]
        await api.post(
            f"{API}/actions/{action_id}/closure-request", json={"text": "Sorted."}, headers=provider
        )
        twice = await api.post(f"{API}/actions/{action_id}/closure-request", json={}, headers=provider)
        assert twice.status_code == 409 and twice.json()["type"].endswith("already-pending")
        thread = (
            await api.post(
                f"{COUNCIL}/actions/{action_id}/replies",
                json={"text": "Not yet: a review is booked."},
                headers=council,
            )
        ).json()
        assert (thread["status"], thread["assigned_to"]) == ("open", "provider")
        # Moved to another team by the council; the provider cannot do that, nor close.
        payments = config["team:Payments"]["team_id"]
        thread = (
            await api.post(
                f"{COUNCIL}/actions/{action_id}/reassign", json={"team_id": payments}, headers=council
            )
        ).json()
        assert thread["team_name"] == "Payments" and thread["assigned_to"] == "provider"
    [request] = await _requests(env, action_id)
    assert request["status"] == "rejected"
    states = await published(
        env, "messaging.closure_request.upserted.v1", request_id := (await _request_id(env, action_id))
    )
    assert [s["status"] for s in states] == ["pending", "rejected"] and request_id


async def _request_id(env, action_id):
    async with messaging_conn(env) as conn:
        return await conn.fetchval(
            "SELECT request_id FROM messaging.decision_request WHERE subject = $1", f"action:{action_id}"
        )


async def test_status_lights_and_due_dates_follow_the_frozen_day(env, setup):
    tenant, config = setup
    provider = tenant.headers(env)
    query = config["Foster Carer Query"]  # 10 days
    async with messaging_api(env, today=DAY) as api:
        opened = await new_action(
            api,
            provider,
            type_id=query["type_id"],
            related_kind="service",
            related_id=tenant.service_id,
            title="T",
            text="x",
        )
        no_due = await new_action(
            api,
            provider,
            type_id=config["Provider Query"]["type_id"],
            related_kind="provider",
            title="No due date",
            text="x",
        )
        assert no_due["due_date"] is None
    due = date.fromisoformat(opened["due_date"])
    assert due == DAY + timedelta(days=10)
    async with messaging_api(env, today=due) as api:  # due today: not yet overdue
        rows = {a["action_id"]: a for a in (await api.get(f"{API}/actions", headers=provider)).json()}
        assert rows[opened["action_id"]]["light"] == "amber"
        assert (await api.get(f"{API}/summary", headers=provider)).json() == {
            "open": 2,
            "overdue": 0,
            "light": "amber",
        }
    async with messaging_api(env, today=due + timedelta(days=1)) as api:
        rows = {a["action_id"]: a for a in (await api.get(f"{API}/actions", headers=provider)).json()}
        assert (rows[opened["action_id"]]["light"], rows[opened["action_id"]]["overdue"]) == ("red", True)
        assert rows[no_due["action_id"]]["light"] == "amber"  # no due date: never overdue
        assert (await api.get(f"{API}/summary", headers=provider)).json() == {
            "open": 2,
            "overdue": 1,
            "light": "red",
        }
        # Paging: one a page, a next link while there is more.
        first = await api.get(f"{API}/actions", params={"limit": 1}, headers=provider)
        assert len(first.json()) == 1 and 'rel="next"' in first.headers["link"]


async def test_a_provider_not_yet_projected_opens_an_action_named_once_its_organisation_arrives(env):
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    async with messaging_api(env, today=DAY) as api:
        await configure(api, env, authority_id)
        headers = bearer(env.token(authority_id=authority_id, organisation_id=organisation_id))
        kinds = {t["name"]: t for t in (await api.get(f"{API}/action-types", headers=headers)).json()}
        opened = await new_action(
            api,
            headers,
            type_id=kinds["Provider Note"]["type_id"],
            related_kind="provider",
            title="Hello",
            text="x",
        )
        assert (opened["related_label"], opened["posts"][0]["author_label"]) == ("Provider", "Provider")
        async with messaging_conn(env) as conn:
            await conn.execute(
                "INSERT INTO messaging.organisation (organisation_id, authority_id, name, reference, active, revision,"
                " updated_at) VALUES ($1, $2, 'Late Arrival Ltd', 'LA1', true, 1, now())",
                organisation_id,
                authority_id,
            )
        [row] = (await api.get(f"{API}/actions", headers=headers)).json()
        assert row["related_label"] == "Late Arrival Ltd"
