"""Each authority's catalogue (the council API) and runs asked for with parameters: a withdrawn report is
neither listed nor run; bad parameters are named at their fields and queue nothing; another provider's or
another authority's organisation is 404 like a missing one."""

from __future__ import annotations

import uuid

from reports.main import DEFINITION as REPORTS
from shared import db
from shared.auth import Role
from shared.service import create_api
from tests.support.inprocess import serve
from tests.support.reports import add_organisations

EVERY_REPORT = [
    "commissioned-vs-actuals",
    "pending-payments-exceptions",
    "pending-scheduled-payments",
    "remittance-advice",
    "annual-statement-foster-carer",
    "purchase-order",
    "organisation-directory",
]


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def runs_of(env, authority: uuid.UUID) -> list:
    conn = await db.connect(env.dsn("reports"))
    try:
        return await conn.fetch(
            "SELECT report, organisation_id, parameters, requested_by FROM reports.report_run"
            " WHERE authority_id = $1 ORDER BY requested_at",
            authority,
        )
    finally:
        await conn.close()


async def test_the_seeds_reports_are_offered_until_the_council_withdraws_one(env, authority):
    (org,) = await add_organisations(env, authority, ["Catalogue Care"])
    provider = bearer(env.token(authority_id=authority, organisation_id=org, role=Role.finance))
    council = bearer(env.council_token(authority))
    elsewhere = bearer(env.council_token(uuid.uuid4()))
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        listed = await api.get("/api/v1/reports/catalogue", headers=provider)
        assert [r["key"] for r in listed.json()] == EVERY_REPORT
        statement = listed.json()[4]
        assert [(p["name"], p["required"]) for p in statement["parameters"]] == [
            ("organisation_id", True),
            ("tax_year", True),
        ]
        assert statement["narrow"] is True and statement["columns"][2] == {
            "key": "days_of_care",
            "heading": "Days of care",
            "kind": "number",
            "total": True,
        }

        withdrawn = await api.put(
            "/council/v1/reports/catalogue/commissioned-vs-actuals", json={"enabled": False}, headers=council
        )
        assert withdrawn.status_code == 200, withdrawn.text
        assert withdrawn.json()["enabled"] is False
        listed = await api.get("/api/v1/reports/catalogue", headers=provider)
        assert [r["key"] for r in listed.json()] == [
            k for k in EVERY_REPORT if k != "commissioned-vs-actuals"
        ]
        refused = await api.post(
            "/api/v1/reports/runs",
            json={"report": "commissioned-vs-actuals", "parameters": {"financial_year": "2019/20"}},
            headers=provider,
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "report"
        assert "commissioned-vs-actuals" not in refused.json()["errors"][0]["message"]

        offers = await api.get("/council/v1/reports/catalogue", headers=council)
        assert [(o["report"]["key"], o["enabled"]) for o in offers.json()] == [
            (k, k != "commissioned-vs-actuals") for k in EVERY_REPORT
        ]
        # Another authority's choice is its own: the withdrawal here is not there.
        theirs = await api.get("/council/v1/reports/catalogue", headers=elsewhere)
        assert all(o["enabled"] for o in theirs.json())

        offered_again = await api.put(
            "/council/v1/reports/catalogue/commissioned-vs-actuals", json={"enabled": True}, headers=council
        )
        assert offered_again.json()["enabled"] is True
        listed = await api.get("/api/v1/reports/catalogue", headers=provider)
        assert [r["key"] for r in listed.json()] == EVERY_REPORT
    assert await runs_of(env, authority) == []  # the refused run queued nothing


async def test_only_the_council_with_edit_access_changes_its_catalogue(env, authority):
    (org,) = await add_organisations(env, authority, ["Not Council Care"])
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        provider = bearer(env.token(authority_id=authority, organisation_id=org, role=Role.full))
        for headers, status, detail in [
            (provider, 403, "only the council can use the council API"),
            (bearer(env.council_token(authority, can_edit=False)), 403, "your access is read-only"),
        ]:
            answer = await api.put(
                "/council/v1/reports/catalogue/remittance-advice", json={"enabled": False}, headers=headers
            )
            assert (answer.status_code, answer.json()["detail"]) == (status, detail)
        assert (await api.get("/council/v1/reports/catalogue", headers=provider)).status_code == 403
        unknown = await api.put(
            "/council/v1/reports/catalogue/no-such-report",
            json={"enabled": False},
            headers=bearer(env.council_token(authority)),
        )
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "report"
        not_a_flag = await api.put(
            "/council/v1/reports/catalogue/remittance-advice",
            json={"enabled": "perhaps"},
            headers=bearer(env.council_token(authority)),
        )
        assert not_a_flag.status_code == 422
        assert [e["field"] for e in not_a_flag.json()["errors"]] == ["enabled"]
        offers = await api.get("/council/v1/reports/catalogue", headers=bearer(env.council_token(authority)))
    assert all(o["enabled"] and o["updated_by"] is None for o in offers.json())  # nothing changed


async def test_a_run_keeps_its_parameters_and_a_provider_runs_for_their_own_organisation(env, authority):
    own, other = await add_organisations(env, authority, ["Own Care", "Other Care"])
    finance = env.token(authority_id=authority, organisation_id=own, role=Role.finance, subject="fin-1")
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        created = await api.post(
            "/api/v1/reports/runs",
            json={
                "report": "annual-statement-foster-carer",
                "format": "csv",
                "parameters": {"tax_year": "2018/19"},
            },
            headers=bearer(finance),
        )
        assert created.status_code == 202, created.text
        run = created.json()
        assert run["parameters"] == {"organisation_id": str(own), "tax_year": "2018"}
        assert (run["status"], run["progress"]) == ("queued", {"done": 0, "total": None})
        assert run["expires_at"] > run["requested_at"]

        for organisation in (other, uuid.uuid4()):
            refused = await api.post(
                "/api/v1/reports/runs",
                json={
                    "report": "annual-statement-foster-carer",
                    "parameters": {"organisation_id": str(organisation), "tax_year": "2018/19"},
                },
                headers=bearer(finance),
            )
            assert refused.status_code == 404, refused.text
            assert refused.json()["type"] == "urn:provider-portal:problem:organisation-not-found"
    rows = await runs_of(env, authority)
    assert [(r["report"], r["organisation_id"], r["parameters"]) for r in rows] == [
        ("annual-statement-foster-carer", own, {"organisation_id": str(own), "tax_year": "2018"})
    ]


async def test_the_council_runs_for_any_of_its_organisations_but_not_anothers(env, authority):
    (mine,) = await add_organisations(env, authority, ["Council's Care"])
    (theirs,) = await add_organisations(env, uuid.uuid4(), ["Elsewhere Care"])
    council = bearer(env.council_token(authority, can_edit=False))
    body = {"report": "commissioned-vs-actuals", "parameters": {"financial_year": "2019/20"}}
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        missing = await api.post("/api/v1/reports/runs", json=body, headers=council)
        assert missing.status_code == 422
        assert missing.json()["errors"] == [
            {"source": "body", "field": "parameters.organisation_id", "message": "enter the organisation"}
        ]
        foreign = await api.post(
            "/api/v1/reports/runs",
            json=body | {"parameters": {"financial_year": "2019/20", "organisation_id": str(theirs)}},
            headers=council,
        )
        assert foreign.status_code == 404
        created = await api.post(
            "/api/v1/reports/runs",
            json=body | {"parameters": {"financial_year": "2019/20", "organisation_id": str(mine)}},
            headers=council,
        )
        assert created.status_code == 202, created.text
    rows = await runs_of(env, authority)
    assert [(r["organisation_id"], r["parameters"]) for r in rows] == [
        (None, {"organisation_id": str(mine), "financial_year": "2019"})
    ]


async def test_bad_parameters_are_named_and_queue_nothing(env, authority):
    (org,) = await add_organisations(env, authority, ["Careful Care"])
    provider = bearer(env.token(authority_id=authority, organisation_id=org, role=Role.finance))
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        answer = await api.post(
            "/api/v1/reports/runs",
            json={
                "report": "remittance-advice",
                "parameters": {"contract_id": "12", "period_start": "yesterday", "colour": "red"},
            },
            headers=provider,
        )
        not_text = await api.post(
            "/api/v1/reports/runs",
            json={"report": "remittance-advice", "parameters": {"contract_id": ["a", "b"]}},
            headers=provider,
        )
    assert answer.status_code == 422
    assert answer.json()["type"] == "urn:provider-portal:problem:bad-report-parameters"
    assert {e["field"]: e["message"] for e in answer.json()["errors"]} == {
        "parameters.colour": "this report takes no colour (it takes: contract_id, payment_method,"
        " period_start, remittance_id, summary)",
        "parameters.contract_id": "choose one from the list (this is not an id we know)",
        "parameters.payment_method": "enter the payment method",
        "parameters.period_start": "enter the period's first day as a date, like 2019-09-23",
    }
    assert not_text.status_code == 422
    fields = [e["field"] for e in not_text.json()["errors"]]
    assert fields and all(f.startswith("parameters.contract_id") for f in fields), fields
    assert await runs_of(env, authority) == []
