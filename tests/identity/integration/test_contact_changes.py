"""Changes to existing contacts: a provider Admin or Full user asks for a leaver's removal or for a
contact's role or scope to change; the council approves (the link ends or changes, and the contact's
full state is republished) or rejects with a reason. Main is the council's alone."""

from __future__ import annotations

import uuid

from shared.auth import PrincipalKind, Role
from tests.identity.integration.test_contacts import provider_token
from tests.identity.integration.test_directory import outbox_payloads, put_contract
from tests.support.identity import bearer, create_user, make_tenant

PATH = "/api/v1/identity/contact-change-requests"
COUNCIL = "/council/v1/identity/contact-change-requests"


async def memberships(identity_api, env, tenant, user_id) -> dict[str, dict]:
    """The contact's links as the council sees them, by organisation id."""
    council = bearer(env.council_token(tenant.authority_id))
    detail = await identity_api.get(f"/council/v1/identity/users/{user_id}", headers=council)
    assert detail.status_code == 200, detail.text
    return {m["organisation_id"]: m for m in detail.json()["memberships"]}


async def published_user(env, user_id) -> dict:
    """The last full state of the user published as identity.user.upserted."""
    return (await outbox_payloads(env, "identity.user.upserted.v1", user_id))[-1]


async def test_a_leaver_is_removed_once_the_council_approves(identity_api, journey, env, tenant):
    requester, token = await provider_token(identity_api, journey, env, tenant, role="admin")
    leaver, _ = await create_user(identity_api, env, tenant, role="care")
    organisation = str(tenant.organisations["A"])

    asked = await identity_api.post(
        PATH, json={"change": "removal", "user_id": leaver["user_id"]}, headers=token
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["status"], request["change"], request["asked"]) == ("pending", "removal", None)
    assert request["requested_by"] == requester["user_id"] and request["email"] == leaver["email"]
    assert request["current"] == {
        "role": "care",
        "can_edit": True,
        "scope_type": "organisation",
        "scope_id": organisation,
    }
    # One change of a contact waits at a time, whichever it is.
    again = await identity_api.post(
        PATH,
        json={"change": "access", "user_id": leaver["user_id"], "role": "finance", "can_edit": False},
        headers=token,
    )
    assert again.status_code == 409 and "already waiting for the council" in again.json()["detail"]
    mine = await identity_api.get(PATH, headers=token)
    assert [r["request_id"] for r in mine.json()] == [request["request_id"]]
    assert organisation in await memberships(
        identity_api, env, tenant, leaver["user_id"]
    )  # not before approval

    council = bearer(env.council_token(tenant.authority_id))
    pending = await identity_api.get(COUNCIL, params={"status": "pending"}, headers=council)
    assert request["request_id"] in {r["request_id"] for r in pending.json()}
    approved = await identity_api.post(f"{COUNCIL}/{request['request_id']}/approve", headers=council)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    twice = await identity_api.post(f"{COUNCIL}/{request['request_id']}/approve", headers=council)
    assert twice.status_code == 409 and "already been approved" in twice.json()["detail"]

    assert organisation not in await memberships(identity_api, env, tenant, leaver["user_id"])
    contacts = (await identity_api.get("/api/v1/identity/contacts", headers=token)).json()
    assert leaver["user_id"] not in {c["user_id"] for c in contacts}
    assert (
        await identity_api.get(f"/api/v1/identity/contacts/{leaver['user_id']}", headers=token)
    ).status_code == 404
    state = await published_user(env, leaver["user_id"])
    assert organisation not in {m["organisation_id"] for m in state["memberships"]}
    events = await outbox_payloads(env, "identity.contact_change_request.upserted.v1", request["request_id"])
    assert [(e["status"], e["revision"], e["change"]) for e in events] == [
        ("pending", 1, "removal"),
        ("approved", 2, "removal"),
    ]
    seen = await identity_api.get(f"{PATH}/{request['request_id']}", headers=token)
    assert seen.json()["status"] == "approved" and seen.json()["decided_at"]


async def test_a_change_of_role_and_scope_applies_on_approval(identity_api, journey, env, tenant):
    _, token = await provider_token(identity_api, journey, env, tenant, role="full")
    contact, _ = await create_user(identity_api, env, tenant, role="care")
    contract = (await put_contract(identity_api, env, tenant, reference=f"C-{uuid.uuid4().hex[:6]}")).json()
    body = {
        "change": "access",
        "user_id": contact["user_id"],
        "role": "finance",
        "can_edit": False,
        "scope_type": "contract",
        "scope_id": contract["contract_id"],
    }
    asked = await identity_api.post(PATH, json=body, headers=token)
    assert asked.status_code == 201, asked.text
    assert asked.json()["asked"] == {
        "role": "finance",
        "can_edit": False,
        "scope_type": "contract",
        "scope_id": contract["contract_id"],
    }
    council = bearer(env.council_token(tenant.authority_id))
    approved = await identity_api.post(f"{COUNCIL}/{asked.json()['request_id']}/approve", headers=council)
    assert approved.status_code == 200, approved.text

    link = (await memberships(identity_api, env, tenant, contact["user_id"]))[str(tenant.organisations["A"])]
    assert (link["role"], link["can_edit"], link["scope_type"], link["scope_id"]) == (
        "finance",
        False,
        "contract",
        contract["contract_id"],
    )
    published = [m for m in (await published_user(env, contact["user_id"]))["memberships"]]
    assert [(m["role"], m["can_edit"], m["scope_id"]) for m in published] == [
        ("finance", False, contract["contract_id"])
    ]
    # Nothing left to change: asking for what they have now is refused.
    same = await identity_api.post(PATH, json=body, headers=token)
    assert same.status_code == 422 and same.json()["type"].endswith("nothing-changed")


async def test_a_rejection_needs_a_reason_and_changes_nothing(identity_api, journey, env, tenant):
    _, token = await provider_token(identity_api, journey, env, tenant, role="admin")
    contact, _ = await create_user(identity_api, env, tenant, role="care")
    asked = await identity_api.post(
        PATH, json={"change": "removal", "user_id": contact["user_id"]}, headers=token
    )
    council = bearer(env.council_token(tenant.authority_id))
    path = f"{COUNCIL}/{asked.json()['request_id']}/reject"
    blank = await identity_api.post(path, json={"reason": ""}, headers=council)
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "reason"
    rejected = await identity_api.post(path, json={"reason": "She is still on the rota"}, headers=council)
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "She is still on the rota")
    assert str(tenant.organisations["A"]) in await memberships(identity_api, env, tenant, contact["user_id"])
    seen = await identity_api.get(f"{PATH}/{asked.json()['request_id']}", headers=token)
    assert (seen.json()["status"], seen.json()["reason"]) == ("rejected", "She is still on the rota")
    # Decided, the contact may be asked about again.
    again = await identity_api.post(
        PATH, json={"change": "removal", "user_id": contact["user_id"]}, headers=token
    )
    assert again.status_code == 201, again.text


async def test_who_may_ask(identity_api, journey, env, tenant):
    contact, _ = await create_user(identity_api, env, tenant, role="care")
    removal = {"change": "removal", "user_id": contact["user_id"]}
    _, finance = await provider_token(identity_api, journey, env, tenant, role="finance")
    refused = await identity_api.post(PATH, json=removal, headers=finance)
    assert refused.status_code == 403 and "does not give access to contacts" in refused.json()["detail"]
    _, read_only = await provider_token(identity_api, journey, env, tenant, role="admin", can_edit=False)
    refused = await identity_api.post(PATH, json=removal, headers=read_only)
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    key = bearer(
        env.token(
            authority_id=tenant.authority_id,
            organisation_id=tenant.organisations["A"],
            role=Role.admin,
            kind=PrincipalKind.api_key,
        )
    )
    refused = await identity_api.post(PATH, json=removal, headers=key)
    assert refused.status_code == 403 and "people, not API keys" in refused.json()["detail"]
    council = bearer(env.council_user_token(tenant.authority_id))
    access = {"change": "access", "user_id": contact["user_id"], "role": "care", "can_edit": False}
    for body in (removal, access):  # council staff decide; they have no organisation to ask for
        refused = await identity_api.post(PATH, json=body, headers=council)
        assert refused.status_code == 403 and "the council decides" in refused.json()["detail"], refused.text
    # Reading stays open to a read-only Admin; the council API is the council's.
    assert (await identity_api.get(PATH, headers=read_only)).status_code == 200
    assert (await identity_api.get(COUNCIL, headers=read_only)).status_code == 403

    _, admin = await provider_token(identity_api, journey, env, tenant, role="admin")
    bad = await identity_api.post(PATH, json={**removal, "change": "promotion"}, headers=admin)
    assert bad.status_code == 422
    main = await identity_api.post(
        PATH,
        json={"change": "access", "user_id": contact["user_id"], "role": "main", "can_edit": True},
        headers=admin,
    )
    assert main.status_code == 422 and main.json()["errors"][0]["field"].endswith("role")
    nobody = await identity_api.post(PATH, json={**removal, "user_id": str(uuid.uuid4())}, headers=admin)
    assert nobody.status_code == 404


async def test_the_main_contact_is_the_councils_to_change(identity_api, journey, env, tenant):
    _, admin = await provider_token(identity_api, journey, env, tenant, role="full")
    main, _ = await create_user(identity_api, env, tenant, role="main")
    removal = await identity_api.post(
        PATH, json={"change": "removal", "user_id": main["user_id"]}, headers=admin
    )
    assert removal.status_code == 403 and "council sets the Main contact" in removal.json()["detail"]
    change = await identity_api.post(
        PATH,
        json={"change": "access", "user_id": main["user_id"], "role": "admin", "can_edit": True},
        headers=admin,
    )
    assert change.status_code == 403 and "council sets the Main contact" in change.json()["detail"]
    assert (await identity_api.get(PATH, headers=admin)).json() == []


async def test_scopes_and_other_organisations(identity_api, journey, env, tenant):
    """Another organisation's contact, or a scope outside mine, is as if it did not exist."""
    _, admin_a = await provider_token(identity_api, journey, env, tenant, role="admin")
    _, admin_b = await provider_token(identity_api, journey, env, tenant, role="admin", organisation="B")
    contact_a, _ = await create_user(identity_api, env, tenant, role="care")
    theirs = await identity_api.post(
        PATH, json={"change": "removal", "user_id": contact_a["user_id"]}, headers=admin_b
    )
    assert theirs.status_code == 404
    elsewhere = await identity_api.post(
        PATH,
        json={
            "change": "access",
            "user_id": contact_a["user_id"],
            "role": "care",
            "can_edit": False,
            "scope_type": "organisation",
            "scope_id": str(tenant.organisations["B"]),
        },
        headers=admin_a,
    )
    assert elsewhere.status_code == 404 and elsewhere.json()["errors"][0]["field"] == "scope_id"
    mine = await identity_api.post(
        PATH, json={"change": "removal", "user_id": contact_a["user_id"]}, headers=admin_a
    )
    request_id = mine.json()["request_id"]
    assert (await identity_api.get(f"{PATH}/{request_id}", headers=admin_b)).status_code == 404
    assert (await identity_api.get(PATH, headers=admin_b)).json() == []
    assert (await identity_api.get(f"{COUNCIL}/{request_id}", headers=admin_a)).status_code == 403
    other = await make_tenant(env)
    stranger = bearer(env.council_token(other.authority_id))
    for method, path, body in (
        ("GET", f"{COUNCIL}/{request_id}", None),
        ("POST", f"{COUNCIL}/{request_id}/approve", None),
        ("POST", f"{COUNCIL}/{request_id}/reject", {"reason": "x"}),
    ):
        response = await identity_api.request(method, path, json=body, headers=stranger)
        assert response.status_code == 404, (path, response.text)
    assert request_id not in (await identity_api.get(COUNCIL, headers=stranger)).text
    # A read-only council member, or a provider, may not decide.
    read_only = bearer(env.council_token(tenant.authority_id, can_edit=False))
    assert (await identity_api.post(f"{COUNCIL}/{request_id}/approve", headers=read_only)).status_code == 403
    assert (await identity_api.post(f"{COUNCIL}/{request_id}/approve", headers=admin_a)).status_code == 403
    assert str(tenant.organisations["A"]) in await memberships(
        identity_api, env, tenant, contact_a["user_id"]
    )


async def test_a_contract_admin_asks_only_within_its_contract(identity_api, journey, env, tenant):
    council_user = bearer(env.council_user_token(tenant.authority_id))
    contract = (await put_contract(identity_api, env, tenant, reference=f"C-{uuid.uuid4().hex[:6]}")).json()
    narrow_user, temporary = await create_user(identity_api, env, tenant, role="admin")
    changed = await identity_api.put(
        f"/council/v1/identity/users/{narrow_user['user_id']}/memberships/{tenant.organisations['A']}",
        json={
            "role": "admin",
            "can_edit": True,
            "scope_type": "contract",
            "scope_id": contract["contract_id"],
        },
        headers=council_user,
    )
    assert changed.status_code == 200, changed.text
    session_id = await journey.first_login(tenant, narrow_user["email"], temporary)
    narrow = bearer((await journey.token(session_id)).json()["token"])
    outside, _ = await create_user(identity_api, env, tenant, role="care")  # the whole organisation
    refused = await identity_api.post(
        PATH, json={"change": "removal", "user_id": outside["user_id"]}, headers=narrow
    )
    assert refused.status_code == 404
    wider = await identity_api.post(
        PATH,
        json={
            "change": "access",
            "user_id": narrow_user["user_id"],
            "role": "admin",
            "can_edit": True,
            "scope_type": "organisation",
            "scope_id": str(tenant.organisations["A"]),
        },
        headers=narrow,
    )
    assert wider.status_code == 403 and "within your own scope" in wider.json()["detail"]


async def test_approval_of_a_contact_no_longer_linked_is_refused(identity_api, journey, env, tenant):
    _, token = await provider_token(identity_api, journey, env, tenant, role="admin")
    contact, _ = await create_user(identity_api, env, tenant, role="care")
    asked = await identity_api.post(
        PATH, json={"change": "removal", "user_id": contact["user_id"]}, headers=token
    )
    council = bearer(env.council_user_token(tenant.authority_id))
    unlinked = await identity_api.delete(
        f"/council/v1/identity/users/{contact['user_id']}/memberships/{tenant.organisations['A']}",
        headers=council,
    )
    assert unlinked.status_code in {200, 204}, unlinked.text
    approved = await identity_api.post(f"{COUNCIL}/{asked.json()['request_id']}/approve", headers=council)
    assert approved.status_code == 409 and "reject the request instead" in approved.json()["detail"]
    still = await identity_api.get(f"{COUNCIL}/{asked.json()['request_id']}", headers=council)
    assert still.json()["status"] == "pending"
