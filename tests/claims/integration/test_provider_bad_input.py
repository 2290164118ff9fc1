"""Every bad input of a provider's claim (issue 12 "Bad input"): each answered with a precise error
naming the field, and nothing changed: the claim, its items, their attachments and the organisation's
files are exactly as before."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from tests.claims.support import (
    API,
    add_client,
    add_item,
    add_level,
    add_placement,
    attachments_of_organisation,
    bearer,
    build_claimant,
    claims_api,
    claims_conn,
    item_form,
    new_claim,
    snapshot,
    upload,
)
from tests.support import uploads

TWENTY_MB = uploads.PDF + b"0" * (20 * 1024 * 1024)
NOT_CLAIMABLE = "is not a service level you can claim"
NOT_PLACED = "is not a child/client placed with you"


@pytest.fixture(scope="module")
async def api(env):
    async with claims_api(env) as client:
        yield client


class Drafting:
    """A claimant with a draft holding one client item (with a PDF), and what to call the API with."""

    def __init__(self, env, api, setup, auth, claim):
        self.env, self.api, self.setup, self.auth, self.claim = env, api, setup, auth, claim
        self.item = claim["client_items"][0]

    @property
    def items_path(self):
        return f"{API}/claims/{self.claim['claim_id']}/items"

    def client_item(self, **changes):
        fields = {
            "version": self.claim["version"],
            "kind": "client",
            "description": "School run",
            "service_level_id": self.setup.client_level,
            "client_id": self.setup.client_ids[0],
            "quantity": "10",
        }
        return item_form(**{**fields, **changes})

    async def post_item(self, form, files=None):
        return await self.api.post(self.items_path, data=form, files=files, headers=self.auth)

    async def put_item(self, form, files=None):
        form = {k: v for k, v in form.items() if k != "kind"}
        return await self.api.put(
            f"{self.items_path}/{self.item['item_id']}", data=form, files=files, headers=self.auth
        )

    async def refused(self, answer, status, field, message):
        """The answer refuses naming `field` with `message` (its start), and nothing was written."""
        assert answer.status_code == status, answer.text
        problem = answer.json()
        if status == 422:
            assert any(e["field"] == field and e["message"].startswith(message) for e in problem["errors"]), (
                problem
            )
        else:
            assert message in problem["detail"], problem
        assert await snapshot(self.env, self.claim["claim_id"]) == self.before
        assert await attachments_of_organisation(self.env, self.setup.organisation_id) == self.files_before
        return problem

    async def remember(self):
        self.before = await snapshot(self.env, self.claim["claim_id"])
        self.files_before = await attachments_of_organisation(self.env, self.setup.organisation_id)


@pytest.fixture
async def draft(env, api):
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    async with claims_conn(env) as conn:
        setup = await build_claimant(
            conn, authority_id=authority_id, organisation_id=organisation_id, label="bad"
        )
    auth = bearer(env.token(authority_id=authority_id, organisation_id=organisation_id))
    claim = await new_claim(api, auth, notes="Bad input")
    claim = await add_item(
        api,
        auth,
        claim,
        kind="client",
        description="School run",
        service_level_id=setup.client_level,
        client_id=setup.client_ids[0],
        quantity="150",
        files=upload(uploads.PDF),
    )
    drafting = Drafting(env, api, setup, auth, claim)
    await drafting.remember()
    return drafting


async def test_an_executable_renamed_pdf_is_refused_naming_the_attachment(draft):
    exe = upload(uploads.WINDOWS_EXE, "receipt.pdf")
    added = await draft.post_item(draft.client_item(), files=exe)
    problem = await draft.refused(added, 422, "attachment", "the file is a Windows program")
    assert problem["errors"][0]["message"].endswith(
        "(accepted here: a PDF, a JPEG image, a PNG image or a HEIC image)"
    )
    replaced = await draft.put_item(draft.client_item(attachment_action="replace"), files=exe)
    await draft.refused(replaced, 422, "attachment", "the file is a Windows program")
    word = upload(uploads.DOCX, "receipt.docx", "application/octet-stream")
    await draft.refused(
        await draft.post_item(draft.client_item(), files=word), 422, "attachment", "files named .docx"
    )


async def test_a_20_mb_file_is_refused_naming_the_attachment(draft):
    big = upload(TWENTY_MB, "scan.pdf")
    message = "the file is too large: the most accepted is 10,485,760 bytes (10 MB)"
    await draft.refused(await draft.post_item(draft.client_item(), files=big), 422, "attachment", message)
    replaced = await draft.put_item(draft.client_item(attachment_action="replace"), files=big)
    await draft.refused(replaced, 422, "attachment", message)


async def test_the_limit_is_the_settings_to_the_byte(draft, env):
    limit = len(uploads.PDF) + 10
    async with claims_api(env, attachments_max_bytes=limit) as small:
        over = upload(uploads.PDF + b"0" * 11)
        answer = await small.post(draft.items_path, data=draft.client_item(), files=over, headers=draft.auth)
        await draft.refused(
            answer, 422, "attachment", f"the file is too large: the most accepted is {limit:,} bytes"
        )
        at_limit = upload(uploads.PDF + b"0" * 10)
        answer = await small.post(
            draft.items_path, data=draft.client_item(), files=at_limit, headers=draft.auth
        )
        assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "must be more than 0"),
        ("-5", "must be more than 0"),
        ("1.005", "has at most 2 decimal places"),
        ("100000", "must be at most 99,999.99"),
        ("ten", "must be a number written in digits"),
        ("", "enter a number"),
    ],
)
async def test_a_bad_quantity_is_refused_naming_the_quantity(draft, quantity, message):
    await draft.refused(await draft.post_item(draft.client_item(quantity=quantity)), 422, "quantity", message)
    await draft.refused(await draft.put_item(draft.client_item(quantity=quantity)), 422, "quantity", message)


async def test_a_service_level_the_authority_does_not_allow_is_refused(draft, env):
    setup = draft.setup
    today = date.today()
    async with claims_conn(env) as conn:
        others = await add_level(conn, authority_id=uuid.uuid4(), name="Another council's mileage")
        not_mine = await add_level(
            conn, authority_id=setup.authority_id, name="Open to another provider", providers=[uuid.uuid4()]
        )
        ended = await add_level(
            conn, authority_id=setup.authority_id, name="Ended", effective_to=today - timedelta(days=1)
        )
        future = await add_level(
            conn, authority_id=setup.authority_id, name="Not yet", effective_from=today + timedelta(days=1)
        )
    levels = [others, setup.provider_level, not_mine, ended, future, uuid.uuid4(), "not-an-id"]
    for level in levels:
        added = await draft.post_item(draft.client_item(service_level_id=level))
        await draft.refused(added, 422, "service_level_id", NOT_CLAIMABLE)
        changed = await draft.put_item(draft.client_item(service_level_id=level))
        await draft.refused(changed, 422, "service_level_id", NOT_CLAIMABLE)
    # A client level on a provider item is refused the same way.
    provider_item = draft.client_item(kind="provider", client_id=None, service_level_id=setup.client_level)
    await draft.refused(await draft.post_item(provider_item), 422, "service_level_id", NOT_CLAIMABLE)


async def test_a_client_of_another_provider_is_refused(draft, env):
    setup = draft.setup
    async with claims_conn(env) as conn:
        elsewhere = await add_client(conn, authority_id=setup.authority_id, name="Placed elsewhere")
        await add_placement(
            conn, authority_id=setup.authority_id, organisation_id=uuid.uuid4(), client_id=elsewhere
        )
        left = await add_client(conn, authority_id=setup.authority_id, name="Left two months ago")
        await add_placement(
            conn,
            authority_id=setup.authority_id,
            organisation_id=setup.organisation_id,
            client_id=left,
            end_date=date.today() - timedelta(days=60),
        )
        unauthorised = await add_client(conn, authority_id=setup.authority_id, name="Not authorised")
        await add_placement(
            conn,
            authority_id=setup.authority_id,
            organisation_id=setup.organisation_id,
            client_id=unauthorised,
            authorised=False,
        )
    for client in (elsewhere, left, unauthorised, uuid.uuid4(), "nobody"):
        await draft.refused(
            await draft.post_item(draft.client_item(client_id=client)), 422, "client_id", NOT_PLACED
        )
        await draft.refused(
            await draft.put_item(draft.client_item(client_id=client)), 422, "client_id", NOT_PLACED
        )
    missing = draft.client_item(client_id=None)
    await draft.refused(await draft.post_item(missing), 422, "client_id", "choose the child/client")


async def test_a_placement_ended_within_28_days_still_counts(draft, env):
    setup = draft.setup
    async with claims_conn(env) as conn:
        just_left = await add_client(conn, authority_id=setup.authority_id, name="Left last week")
        await add_placement(
            conn,
            authority_id=setup.authority_id,
            organisation_id=setup.organisation_id,
            client_id=just_left,
            end_date=date.today() - timedelta(days=7),
        )
    added = await draft.post_item(draft.client_item(client_id=just_left))
    assert added.status_code == 201, added.text


async def test_a_unit_cost_is_the_levels_unless_at_cost(draft):
    setup = draft.setup
    await draft.refused(
        await draft.post_item(draft.client_item(unit_cost="0.45")),
        422,
        "unit_cost",
        "is set by the service level (£0.3870 a Mile)",
    )
    parking = draft.client_item(kind="provider", client_id=None, service_level_id=setup.at_cost_level)
    await draft.refused(await draft.post_item(parking), 422, "unit_cost", "enter what one unit cost")
    await draft.refused(
        await draft.post_item({**parking, "unit_cost": "4.505"}), 422, "unit_cost", "is in pounds and pence"
    )
    with_client = draft.client_item(kind="provider", service_level_id=setup.provider_level)
    await draft.refused(
        await draft.post_item(with_client), 422, "client_id", "a provider item is for no child/client"
    )


async def test_every_wrong_field_is_named_at_once(draft):
    answer = await draft.post_item(
        draft.client_item(quantity="0", description="", service_level_id=uuid.uuid4())
    )
    problem = await draft.refused(answer, 422, "quantity", "must be more than 0")
    assert {e["field"] for e in problem["errors"]} == {"quantity", "description", "service_level_id"}


async def test_a_second_attachment_on_one_item_is_refused(draft):
    second = upload(uploads.PNG, "second.png", "image/png")
    kept = await draft.put_item(draft.client_item(), files=second)
    await draft.refused(
        kept,
        422,
        "attachment",
        "this item has an attachment already (one per item): remove it first or choose replace",
    )
    two = [
        ("attachment", ("a.pdf", uploads.PDF, "application/pdf")),
        ("attachment", ("b.pdf", uploads.PDF, "application/pdf")),
    ]
    await draft.refused(
        await draft.post_item(draft.client_item(), files=two), 422, "attachment", "send one file"
    )


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
    on = f"this claim was submitted on {date.today():%d %B %Y}: it can no longer be changed"
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
    from shared.auth import Role

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
