"""The cross-tenant harness over every reports operation: two authorities with two providers each; each
provider and council, given another tenant's run or organisation, gets 404 exactly as for a missing id
(the same problem type, never the other's strings), and nothing of the other changes; the pick lists
name the caller's own organisations only. The council's catalogue choice is its own authority's only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from reports.main import DEFINITION as REPORTS
from shared import db
from shared.auth import Role
from shared.service import create_api
from tests.support.inprocess import serve
from tests.support.reports import add_organisations, rendering, wait_for_status


@dataclass
class Tenant:
    label: str
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    headers: dict[str, str]
    run_id: str = ""


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def world(env) -> list[Tenant]:
    tenants = []
    for authority_label in ("A", "B"):
        authority_id = uuid.uuid4()
        names = [f"Provider {authority_label}{n} {uuid.uuid4().hex[:6]}" for n in (1, 2)]
        for name, org in zip(names, await add_organisations(env, authority_id, names), strict=True):
            token = env.token(authority_id=authority_id, organisation_id=org, role=Role.finance, subject=name)
            tenants.append(Tenant(name.split()[1], authority_id, org, name, bearer(token)))
    return tenants


async def snapshot(env, authority_ids: list[uuid.UUID]) -> list[dict]:
    conn = await db.connect(env.dsn("reports"))
    try:
        rows = await conn.fetch(
            "SELECT r.run_id, r.status, r.parameters, a.filename FROM reports.report_run r"
            " LEFT JOIN reports.artifact a USING (run_id) WHERE r.authority_id = ANY($1::uuid[])"
            " ORDER BY r.run_id",
            authority_ids,
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def test_no_reports_operation_reaches_another_tenant(env):
    tenants = await world(env)
    statement = "annual-statement-foster-carer"
    async with rendering(env), serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        for t in tenants:
            created = await api.post(
                "/api/v1/reports/runs",
                json={"report": "organisation-directory", "format": "csv"},
                headers=t.headers,
            )
            assert created.status_code == 202, created.text
            t.run_id = created.json()["run_id"]
        for t in tenants:
            await wait_for_status(api, t.run_id, t.headers, "done")
        before = await snapshot(env, [t.authority_id for t in tenants])
        missing_run = await api.get(f"/api/v1/reports/runs/{uuid.uuid4()}", headers=tenants[0].headers)
        missing_org = await api.post(
            "/api/v1/reports/runs",
            json={
                "report": statement,
                "parameters": {"organisation_id": str(uuid.uuid4()), "tax_year": "2019/20"},
            },
            headers=tenants[0].headers,
        )
        for me in tenants:
            for other in (t for t in tenants if t is not me):
                answers = {
                    "run": await api.get(f"/api/v1/reports/runs/{other.run_id}", headers=me.headers),
                    "file": await api.get(f"/api/v1/reports/runs/{other.run_id}/file", headers=me.headers),
                    "organisation": await api.post(
                        "/api/v1/reports/runs",
                        json={
                            "report": statement,
                            "parameters": {
                                "organisation_id": str(other.organisation_id),
                                "tax_year": "2019/20",
                            },
                        },
                        headers=me.headers,
                    ),
                }
                for what, answer in answers.items():
                    assert answer.status_code == 404, (me.label, other.label, what, answer.text)
                    assert other.name not in answer.text  # the id asked for is echoed, nothing else
                assert answers["run"].json()["type"] == missing_run.json()["type"]
                assert answers["file"].json()["type"] == missing_run.json()["type"]
                assert answers["organisation"].json()["type"] == missing_org.json()["type"]
            mine = await api.get("/api/v1/reports/runs", headers=me.headers)
            assert [r["run_id"] for r in mine.json()] == [me.run_id]
            picked = await api.get("/api/v1/reports/choices", headers=me.headers)
            assert picked.json()["organisation_id"] == [{"value": str(me.organisation_id), "label": me.name}]
            directory = await api.get(f"/api/v1/reports/runs/{me.run_id}/file", headers=me.headers)
            assert all(o.name not in directory.text for o in tenants if o is not me)
            assert me.name in directory.content.decode("utf-8-sig")

        a, b = tenants[0].authority_id, tenants[2].authority_id
        council_b = bearer(env.council_token(b))
        for t in tenants[:2]:  # the council of B, with A's runs and organisations
            assert (await api.get(f"/api/v1/reports/runs/{t.run_id}", headers=council_b)).status_code == 404
            assert (
                await api.get(f"/api/v1/reports/runs/{t.run_id}/file", headers=council_b)
            ).status_code == 404
            asked = await api.post(
                "/api/v1/reports/runs",
                json={
                    "report": statement,
                    "parameters": {"organisation_id": str(t.organisation_id), "tax_year": "2019"},
                },
                headers=council_b,
            )
            assert asked.status_code == 404
        listed_b = (await api.get("/api/v1/reports/choices", headers=council_b)).json()["organisation_id"]
        assert sorted(c["value"] for c in listed_b) == sorted(str(t.organisation_id) for t in tenants[2:])
        withdrawn = await api.put(
            f"/council/v1/reports/catalogue/{statement}", json={"enabled": False}, headers=council_b
        )
        assert withdrawn.status_code == 200
        for t in tenants:
            listed = [
                r["key"] for r in (await api.get("/api/v1/reports/catalogue", headers=t.headers)).json()
            ]
            assert (statement in listed) is (t.authority_id == a), t.label
        council_a = await api.get("/council/v1/reports/catalogue", headers=bearer(env.council_token(a)))
        assert all(o["enabled"] and o["updated_by"] is None for o in council_a.json())
    after = await snapshot(env, [t.authority_id for t in tenants])
    assert after == before  # no refused operation changed, queued or deleted anything
