"""A draft to refuse changes of: the claims tests of bad input share it. `refused` asserts the answer
names the field, and that the claim, its items, their attachments and the organisation's files are
exactly as `remember` saw them."""

from __future__ import annotations

import uuid

from tests.claims.support import (
    API,
    add_item,
    attachments_of_organisation,
    bearer,
    build_claimant,
    claims_conn,
    item_form,
    new_claim,
    snapshot,
    upload,
)
from tests.support import uploads


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


async def make_draft(env, api) -> Drafting:
    """A new claimant's draft with one client item of 150 miles and its PDF, remembered as it is."""
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
