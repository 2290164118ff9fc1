"""An authority's configuration through the council API: the seeds' defaults (applied twice: nothing
doubles), a new team and a new type with its default team and response time, renaming, moving a type
to another team, changing or removing its response time (for actions opened from then on), and
deactivating: an inactive type or team is offered to no provider and takes no new action."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from messaging.domain import defaults
from tests.messaging.support import (
    API,
    COUNCIL,
    add_tenant,
    bearer,
    configure,
    messaging_api,
    messaging_conn,
    new_action,
)

DAY = date(2026, 3, 2)


async def test_a_council_configures_its_teams_and_types(env):
    authority_id = uuid.uuid4()
    async with messaging_conn(env) as conn:
        tenant = await add_tenant(conn, authority_id=authority_id, label="config")
    council = bearer(env.council_token(authority_id))
    async with messaging_api(env, today=DAY) as api:
        config = await configure(api, env, authority_id)
        again = await configure(api, env, authority_id)
        assert {k: v["type_id"] if "type_id" in v else v["team_id"] for k, v in config.items()} == {
            k: v["type_id"] if "type_id" in v else v["team_id"] for k, v in again.items()
        }
        assert {t.name for t in defaults.TYPES} == {k for k in config if not k.startswith("team:")}
        assert config["Payments Message"]["purpose"] == "payment_dispute"
        assert config["Foster Carer Query"]["default_team_name"] == "Childrens Services Finance"

        team = await api.post(f"{COUNCIL}/teams", json={"name": "  Respite Team "}, headers=council)
        assert team.status_code == 201 and team.json()["name"] == "Respite Team"
        team_id = team.json()["team_id"]
        made = await api.post(
            f"{COUNCIL}/action-types",
            json={"name": "Respite Query", "default_team_id": team_id, "response_days": 3},
            headers=council,
        )
        assert made.status_code == 201, made.text
        kind = made.json()
        assert (kind["default_team_name"], kind["response_days"], kind["active"]) == ("Respite Team", 3, True)

        provider = tenant.headers(env)
        offered = {t["name"] for t in (await api.get(f"{API}/action-types", headers=provider)).json()}
        assert "Respite Query" in offered
        action = await new_action(
            api, provider, type_id=kind["type_id"], related_kind="provider", title="T", text="x"
        )
        assert (action["team_name"], action["due_date"]) == (
            "Respite Team",
            (DAY + timedelta(days=3)).isoformat(),
        )

        # Renamed and moved: its response time stays when not given; null removes it.
        changed = await api.patch(
            f"{COUNCIL}/action-types/{kind['type_id']}",
            json={"name": "Short Breaks Query", "default_team_id": config["team:Brokerage"]["team_id"]},
            headers=council,
        )
        assert changed.status_code == 200, changed.text
        assert (
            changed.json()["name"],
            changed.json()["default_team_name"],
            changed.json()["response_days"],
        ) == (
            "Short Breaks Query",
            "Brokerage",
            3,
        )
        cleared = await api.patch(
            f"{COUNCIL}/action-types/{kind['type_id']}", json={"response_days": None}, headers=council
        )
        assert cleared.json()["response_days"] is None
        undated = await new_action(
            api, provider, type_id=kind["type_id"], related_kind="provider", title="T", text="x"
        )
        assert undated["due_date"] is None and undated["team_name"] == "Brokerage"
        # The action opened before keeps its due date and team.
        first = (await api.get(f"{API}/actions/{action['action_id']}", headers=provider)).json()
        assert (first["due_date"], first["team_name"]) == (action["due_date"], "Respite Team")
        dup = await api.patch(
            f"{COUNCIL}/action-types/{kind['type_id']}", json={"name": "provider note"}, headers=council
        )
        assert dup.status_code == 409 and dup.json()["type"].endswith("type-exists")

        # Deactivated: no longer offered, and refused.
        off = await api.patch(
            f"{COUNCIL}/action-types/{kind['type_id']}", json={"active": False}, headers=council
        )
        assert off.json()["active"] is False
        assert "Short Breaks Query" not in {
            t["name"] for t in (await api.get(f"{API}/action-types", headers=provider)).json()
        }
        assert "Short Breaks Query" in {
            t["name"] for t in (await api.get(f"{COUNCIL}/action-types", headers=council)).json()
        }
        refused = await api.post(
            f"{API}/actions",
            json={"type_id": kind["type_id"], "related_kind": "provider", "title": "T", "text": "x"},
            headers=provider,
        )
        assert refused.status_code == 422 and refused.json()["type"].endswith("unknown-type")
        renamed = await api.patch(
            f"{COUNCIL}/teams/{team_id}", json={"name": "Short Breaks", "active": False}, headers=council
        )
        assert renamed.json() == {
            "team_id": team_id,
            "name": "Short Breaks",
            "active": False,
            "mailbox": None,
        }
        assert "Short Breaks" not in {
            t["name"] for t in (await api.get(f"{API}/teams", headers=provider)).json()
        }
        clash = await api.patch(f"{COUNCIL}/teams/{team_id}", json={"name": "PAYMENTS"}, headers=council)
        assert clash.status_code == 409 and clash.json()["type"].endswith("team-exists")
        related = (await api.get(f"{API}/related", headers=provider)).json()
        assert {(r["kind"], r["label"]) for r in related} == {
            ("service", tenant.service_name),
            ("client", tenant.client_name),
        }
