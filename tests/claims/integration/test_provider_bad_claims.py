"""Bad changes of a provider's claim as a whole (issue 12 "Bad input"): an empty claim submitted, a
stale version, changes after submission, bad dates and notes, read-only users and roles without one-off
claims, an authority that offers none: each a precise error, and nothing changed."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from shared.auth import Role
from tests.claims.integration.drafting import make_draft
from tests.claims.support import API, bearer, claims_api, claims_conn, new_claim, snapshot, upload
from tests.support import uploads


@pytest.fixture(scope="module")
async def api(env):
    async with claims_api(env) as client:
        yield client


@pytest.fixture
async def draft(env, api):
    return await make_draft(env, api)


async def test_submitting_an_empty_claim_is_refused(draft, api):
    empty = await new_claim(api, draft.auth)
    before = await snapshot(draft.env, empty["claim_id"])
    answer = await api.post(
        f"{API}/claims/{empty['claim_id']}/submit", json={"version": 1}, headers=draft.auth
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == [
        {"source": "body", "field": "items", "message": "a claim needs at least one item"}
    ]
    assert await snapshot(draft.env, empty["claim_id"]) == before


async def test_a_stale_version_is_a_conflict_naming_both_versions(draft, api):
    stale = draft.client_item(version=1)
    message = "the claim was changed by someone else (version 1 is not the latest, 2)"
    await draft.refused(await draft.post_item(stale), 409, "version", message)
    await draft.refused(await draft.put_item(stale), 409, "version", message)
    claim_path = f"{API}/claims/{draft.claim['claim_id']}"
    await draft.refused(
        await api.patch(claim_path, json={"version": 1, "notes": "x"}, headers=draft.auth), 409, "", message
    )
    removed = await api.delete(
        f"{claim_path}/items/{draft.item['item_id']}", params={"version": 1}, headers=draft.auth
    )
    await draft.refused(removed, 409, "", message)
    await draft.refused(
        await api.post(f"{claim_path}/submit", json={"version": 1}, headers=draft.auth), 409, "", message
    )


async def test_editing_after_submission_is_refused(draft, api):
    claim_path = f"{API}/claims/{draft.claim['claim_id']}"
    submitted = await api.post(
        f"{claim_path}/submit", json={"version": draft.claim["version"]}, headers=draft.auth
    )
    assert submitted.status_code == 200, submitted.text
    draft.claim = submitted.json()
    await draft.remember()
    today = date.today()  # said as the pages say dates: "1 December 2026", not "01 December 2026"
    on = f"this claim was submitted on {today.day} {today:%B %Y}: it can no longer be changed"
    await draft.refused(await draft.post_item(draft.client_item()), 409, "", on)
    await draft.refused(await draft.put_item(draft.client_item(quantity="1")), 409, "", on)
    replaced = await draft.put_item(
        draft.client_item(attachment_action="replace"), files=upload(uploads.PNG, "a.png", "image/png")
    )
    await draft.refused(replaced, 409, "", on)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"claim_date": (date.today() + timedelta(days=1)).isoformat()},
            "claim_date",
            "cannot be in the future",
        ),
        (
            {"claim_date": (date.today() - timedelta(days=400)).isoformat()},
            "claim_date",
            "cannot be more than a year ago",
        ),
        ({"notes": "n" * 1001}, "notes", "must be 1,000 characters or fewer"),
        ({"claim_date": "30/11/2026"}, "claim_date", ""),
    ],
)
async def test_bad_claim_details_are_refused(draft, api, body, field, message):
    claim_path = f"{API}/claims/{draft.claim['claim_id']}"
    patched = await api.patch(
        claim_path, json={"version": draft.claim["version"], **body}, headers=draft.auth
    )
    await draft.refused(patched, 422, field, message)
    created = await api.post(f"{API}/claims", json=body, headers=draft.auth)
    assert created.status_code == 422, created.text
    listed = await api.get(f"{API}/claims", headers=draft.auth)
    assert [c["claim_id"] for c in listed.json()] == [draft.claim["claim_id"]]  # no claim was made


async def test_a_lone_surrogate_in_the_notes_is_refused_naming_the_notes(draft, api):
    """JSON can carry half a UTF-16 pair ("\\ud800"), which PostgreSQL cannot store: a 422, not a 500.
    The body is written by hand: httpx's json= cannot encode it."""
    json_body = {**draft.auth, "content-type": "application/json"}
    claim_path = f"{API}/claims/{draft.claim['claim_id']}"
    version = draft.claim["version"]
    patched = await api.patch(
        claim_path, content=f'{{"version":{version},"notes":"\\ud800"}}', headers=json_body
    )
    problem = await draft.refused(patched, 422, "notes", "contains half of a UTF-16 surrogate pair")
    assert problem["detail"].startswith("notes: ")
    created = await api.post(f"{API}/claims", content='{"notes":"a\\ud800b"}', headers=json_body)
    assert created.status_code == 422, created.text
    assert [e["field"] for e in created.json()["errors"]] == ["notes"]
    listed = await api.get(f"{API}/claims", headers=draft.auth)
    assert [c["claim_id"] for c in listed.json()] == [draft.claim["claim_id"]]  # no claim was made


async def test_a_new_date_must_suit_the_items(draft, api, env):
    async with claims_conn(env) as conn:
        await conn.execute(
            "UPDATE claims.placement SET start_date = $2 WHERE client_id = $1",
            draft.setup.client_ids[0],
            date.today() - timedelta(days=3),
        )
    week_ago = (date.today() - timedelta(days=7)).isoformat()
    patched = await api.patch(
        f"{API}/claims/{draft.claim['claim_id']}",
        json={"version": draft.claim["version"], "claim_date": week_ago},
        headers=draft.auth,
    )
    await draft.refused(
        patched, 422, "claim_date", 'does not suit the item "School run": its client is not placed'
    )


async def test_read_only_users_see_claims_but_cannot_change_them(draft, api, env):
    setup = draft.setup
    reader = bearer(
        env.token(authority_id=setup.authority_id, organisation_id=setup.organisation_id, can_edit=False)
    )
    claim_path = f"{API}/claims/{draft.claim['claim_id']}"
    assert (await api.get(claim_path, headers=reader)).json() == draft.claim
    assert [c["claim_id"] for c in (await api.get(f"{API}/claims", headers=reader)).json()] == [
        draft.claim["claim_id"]
    ]
    got = await api.get(f"{claim_path}/items/{draft.item['item_id']}/attachment", headers=reader)
    assert got.status_code == 200 and got.content == uploads.PDF
    version = draft.claim["version"]
    changes = [
        await api.post(f"{API}/claims", json={}, headers=reader),
        await api.patch(claim_path, json={"version": version, "notes": "x"}, headers=reader),
        await api.delete(claim_path, params={"version": version}, headers=reader),
        await api.post(f"{claim_path}/items", data=draft.client_item(), headers=reader),
        await api.put(
            f"{claim_path}/items/{draft.item['item_id']}", data=draft.client_item(), headers=reader
        ),
        await api.delete(
            f"{claim_path}/items/{draft.item['item_id']}", params={"version": version}, headers=reader
        ),
        await api.post(f"{claim_path}/submit", json={"version": version}, headers=reader),
    ]
    for answer in changes:
        await draft.refused(answer, 403, "", "your access is read-only")


async def test_a_role_without_one_off_claims_sees_nothing(draft, api, env):
    care = bearer(
        env.token(
            authority_id=draft.setup.authority_id, organisation_id=draft.setup.organisation_id, role=Role.care
        )
    )
    for answer in (
        await api.get(f"{API}/claims", headers=care),
        await api.get(f"{API}/claims/{draft.claim['claim_id']}", headers=care),
    ):
        assert answer.status_code == 403, answer.text
        assert "does not give access to one off claims" in answer.json()["detail"]


async def test_a_claim_is_not_started_where_the_council_offers_none(api, env):
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    auth = bearer(env.token(authority_id=authority_id, organisation_id=organisation_id))
    answer = await api.post(f"{API}/claims", json={}, headers=auth)
    assert answer.status_code == 403, answer.text
    assert answer.json()["detail"] == "the council does not take one-off claims from you through the portal"
    assert (await api.get(f"{API}/claims", headers=auth)).json() == []


async def test_a_draft_whose_date_has_aged_past_a_year_keeps_its_notes_but_is_not_submitted(draft, api, env):
    aged = date.today() - timedelta(days=400)
    async with claims_conn(env) as conn:
        await conn.execute(
            "UPDATE claims.claim SET claim_date = $2 WHERE claim_id = $1",
            uuid.UUID(draft.claim["claim_id"]),
            aged,
        )
        await conn.execute(
            "UPDATE claims.placement SET start_date = $2 WHERE client_id = $1",
            draft.setup.client_ids[0],
            aged,
        )
        await conn.execute(
            "UPDATE claims.claimable_level SET effective_from = $2 WHERE level_id = $1",
            draft.setup.client_level,
            aged,
        )
    claim_path = f"{API}/claims/{draft.claim['claim_id']}"
    noted = await api.patch(
        claim_path, json={"version": draft.claim["version"], "notes": "Old"}, headers=draft.auth
    )
    assert noted.status_code == 200, noted.text
    draft.claim = noted.json()
    await draft.remember()
    submitted = await api.post(
        f"{claim_path}/submit", json={"version": draft.claim["version"]}, headers=draft.auth
    )
    await draft.refused(submitted, 422, "claim_date", "cannot be more than a year ago")
