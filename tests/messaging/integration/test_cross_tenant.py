"""The cross-tenant harness (tests/support/tenants.py) over every messaging operation: each provider of
the `world`, and each council, called with another tenant's action and attachment ids (same authority
and other authority) answers 404, holds nothing of the other tenant, and leaves its rows as they were;
the lists and the home card hold only the caller's own. Contract- and service-scoped people see the
actions of their part of the organisation (and those they opened about the organisation), not the
organisation-wide ones nor another contract's."""

from __future__ import annotations

import uuid

import pytest

from shared.auth import ScopeType
from tests.messaging.support import (
    API,
    COUNCIL,
    add_tenant,
    bearer,
    configure,
    count_actions,
    messaging_api,
    messaging_conn,
    new_action,
    snapshot,
)
from tests.support import uploads


@pytest.fixture(scope="module")
async def api(env):
    async with messaging_api(env) as client:
        yield client


@pytest.fixture(scope="module")
async def tenants(api, env, world):
    """Each provider of the world in messaging's projections (as identity's and actuals' events would
    leave them), with an action about its client carrying a file: {label: (tenant, action, attachment)}."""
    configs = {}
    for authority in world.authorities:
        configs[authority.authority_id] = await configure(api, env, authority.authority_id)
    built = {}
    for provider in world.providers:
        async with messaging_conn(env) as conn:
            tenant = await add_tenant(
                conn,
                authority_id=provider.authority_id,
                label=f"x-{provider.label}",
                organisation_id=provider.organisation_id,
                contract_id=provider.contract_id,
                service_id=provider.service_id,
            )
        tenant.organisation_name = (
            await _org_name(env, provider.organisation_id)
        ) or tenant.organisation_name
        headers = bearer(world.token(env, provider))
        action = await new_action(
            api,
            headers,
            type_id=configs[provider.authority_id]["CPLI Review"]["type_id"],
            related_kind="client",
            related_id=tenant.client_id,
            title=f"Secret title of {provider.label}",
            text=f"Secret text of {provider.label}",
        )
        answer = await api.post(
            f"{API}/actions/{action['action_id']}/attachments",
            files={"attachment": (f"secret-{provider.label}.pdf", uploads.PDF, "application/pdf")},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
        attachment = answer.json()["attachments"][0]["attachment_id"]
        tenant.extra.update(
            action=action["action_id"],
            attachment=attachment,
            title=f"Secret title of {provider.label}",
            text=f"Secret text of {provider.label}",
        )
        built[provider.label] = (tenant, action["action_id"], attachment, configs[provider.authority_id])
    return built


async def _org_name(env, organisation_id):
    async with messaging_conn(env) as conn:
        return await conn.fetchval(
            "SELECT name FROM messaging.organisation WHERE organisation_id = $1", organisation_id
        )


def operations(base: str, action: str, attachment: str, team_id: str) -> list[tuple[str, str, dict | None]]:
    """Every operation on one action, as (method, path, json body); files are posted separately."""
    path = f"{base}/actions/{action}"
    ops = [
        ("GET", path, None),
        ("GET", f"{path}/attachments/{attachment}", None),
        ("POST", f"{path}/comments", {"text": "intrusion"}),
        ("POST", f"{path}/replies", {"text": "intrusion"}),
    ]
    if base == API:
        ops.append(("POST", f"{path}/closure-request", {"text": "intrusion"}))
    else:
        ops += [
            ("POST", f"{path}/reassign", {"team_id": team_id}),
            ("POST", f"{path}/close", {"reason": "intrusion"}),
        ]
    return ops


async def call(api, method, url, body, headers):
    return await api.request(method, url, json=body, headers=headers)


async def test_no_provider_reaches_another_tenants_actions(api, env, world, tenants):
    for me, other, relation in world.pairs():
        mine, _, _, config = tenants[me.label]
        theirs, action, attachment, _ = tenants[other.label]
        headers = bearer(world.token(env, me))
        before = await snapshot(env, action)
        for method, url, body in operations(API, action, attachment, config["team:Payments"]["team_id"]):
            answer = await call(api, method, url, body, headers)
            assert answer.status_code == 404, (relation, method, url, answer.text)
            # The problem's `instance` repeats the path the caller sent: the ids in it are the caller's own.
            assert not {m for m in theirs.markers() - {action, attachment} if m in answer.text}, (
                relation,
                url,
            )
        upload = await api.post(
            f"{API}/actions/{action}/attachments",
            files={"attachment": ("x.pdf", uploads.PDF, "application/pdf")},
            headers=headers,
        )
        assert upload.status_code == 404, (relation, upload.text)
        # A New Action with a file, about their client or their service: refused, nothing made.
        organisation_actions = await count_actions(env, mine.organisation_id)
        for kind, related_id in (("client", theirs.client_id), ("service", theirs.service_id)):
            intrusion = await api.post(
                f"{API}/actions/with-attachments",
                data={
                    "type_id": config["CPLI Review"]["type_id"],
                    "related_kind": kind,
                    "related_id": str(related_id),
                    "title": "intrusion",
                    "text": "intrusion",
                },
                files={"attachment": ("x.pdf", uploads.PDF, "application/pdf")},
                headers=headers,
            )
            assert intrusion.status_code == 422, (relation, kind, intrusion.text)
            assert intrusion.json()["type"].endswith(f":unknown-{kind}"), intrusion.text
        assert await count_actions(env, mine.organisation_id) == organisation_actions
        # My own action, with their attachment id: not found either.
        own = tenants[me.label][1]
        assert (
            await api.get(f"{API}/actions/{own}/attachments/{attachment}", headers=headers)
        ).status_code == 404
        assert await snapshot(env, action) == before
        # Lists, home card and reference lists hold only my own.
        for url in (
            f"{API}/actions?open_only=false",
            f"{API}/summary",
            f"{API}/related",
            f"{API}/action-types",
            f"{API}/teams",
        ):
            answer = await api.get(url, headers=headers)
            assert answer.status_code == 200, answer.text
            assert not {m for m in theirs.markers() if m in answer.text}, (relation, url)
        listed = (await api.get(f"{API}/actions", params={"open_only": "false"}, headers=headers)).json()
        # The world is the whole run's: other tests may have opened actions of this provider too, so the
        # list holds its own action and none of another tenant's.
        listed_ids = {a["action_id"] for a in listed}
        assert tenants[me.label][1] in listed_ids
        assert not listed_ids & {t[1] for label, t in tenants.items() if label != me.label}
        assert mine.organisation_id != theirs.organisation_id


async def test_no_council_reaches_another_authoritys_actions_or_configuration(api, env, world, tenants):
    for authority, other in world.authority_pairs():
        headers = bearer(world.council_token(env, authority))
        mine_config = tenants[authority.providers[0].label][3]
        their_config = tenants[other.providers[0].label][3]
        for provider in other.providers:
            theirs, action, attachment, _ = tenants[provider.label]
            before = await snapshot(env, action)
            for method, url, body in operations(
                COUNCIL, action, attachment, mine_config["team:Payments"]["team_id"]
            ):
                answer = await call(api, method, url, body, headers)
                assert answer.status_code == 404, (method, url, answer.text)
                assert not {m for m in theirs.markers() - {action, attachment} if m in answer.text}
            upload = await api.post(
                f"{COUNCIL}/actions/{action}/attachments",
                files={"attachment": ("x.pdf", uploads.PDF, "application/pdf")},
                headers=headers,
            )
            assert upload.status_code == 404
            assert await snapshot(env, action) == before
        inbox = (await api.get(f"{COUNCIL}/actions", params={"open_only": "false"}, headers=headers)).json()
        inbox_ids = {
            a["action_id"] for a in inbox
        }  # its own providers' (other tests' too), none of another's
        assert {tenants[p.label][1] for p in authority.providers} <= inbox_ids
        assert not inbox_ids & {tenants[p.label][1] for p in other.providers}
        filtered = await api.get(
            f"{COUNCIL}/actions",
            params={"organisation_id": str(other.providers[0].organisation_id)},
            headers=headers,
        )
        assert filtered.json() == []
        for key in ("team:Payments", "Provider Note"):
            ident = (
                their_config[key].get("team_id") if key.startswith("team:") else their_config[key]["type_id"]
            )
            kind = "teams" if key.startswith("team:") else "action-types"
            answer = await api.patch(f"{COUNCIL}/{kind}/{ident}", json={"active": False}, headers=headers)
            assert answer.status_code == 404, answer.text


async def test_scoped_people_see_their_part_of_the_organisation(api, env, world, tenants):
    provider = world.authorities[0].providers[0]
    _, client_action, _, config = tenants[provider.label]
    whole = bearer(world.token(env, provider))
    about_us = await new_action(
        api,
        whole,
        type_id=config["Provider Note"]["type_id"],
        related_kind="provider",
        title="About us",
        text="x",
    )
    # An action about a service of another contract of the same organisation.
    other_contract, other_service = uuid.uuid4(), uuid.uuid4()
    async with messaging_conn(env) as conn:
        await conn.execute(
            "INSERT INTO messaging.provider_service (service_id, authority_id, organisation_id, contract_id, reference, name,"
            " active, revision, updated_at) VALUES ($1, $2, $3, $4, 'S-OTHER', 'Other home', true, 1, now())",
            other_service,
            provider.authority_id,
            provider.organisation_id,
            other_contract,
        )
    elsewhere = await new_action(
        api,
        whole,
        type_id=config["Provider Note"]["type_id"],
        related_kind="service",
        related_id=other_service,
        title="Elsewhere",
        text="x",
    )
    for scope in (ScopeType.contract, ScopeType.service):
        headers = bearer(world.token(env, provider, scope=scope))
        # Their own note about the provider lies in their part: they see it, and so does the organisation.
        own = await new_action(
            api,
            headers,
            type_id=config["Provider Note"]["type_id"],
            related_kind="provider",
            title=f"By {scope}",
            text="x",
        )
        listed = {a["action_id"] for a in (await api.get(f"{API}/actions", headers=headers)).json()}
        assert client_action in listed and own["action_id"] in listed, scope
        assert about_us["action_id"] not in listed and elsewhere["action_id"] not in listed, scope
        assert (await api.get(f"{API}/actions/{own['action_id']}", headers=whole)).status_code == 200
        assert (await api.get(f"{API}/actions/{elsewhere['action_id']}", headers=headers)).status_code == 404
        refused = await api.post(
            f"{API}/actions",
            json={
                "type_id": config["Provider Note"]["type_id"],
                "related_kind": "service",
                "related_id": str(other_service),
                "title": "T",
                "text": "x",
            },
            headers=headers,
        )
        assert refused.status_code == 422 and refused.json()["type"].endswith("unknown-service")
