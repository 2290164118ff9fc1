"""Who may use reports: Finance and Full roles (read-only too) and the council; Care Management and
Admin roles get 403 on every operation. Every download is published for identity's audit log."""

from __future__ import annotations

import json
import uuid

import pytest

from reports.main import DEFINITION as REPORTS
from shared import db
from shared.auth import Role
from shared.capabilities import ROLE_NAMES
from shared.service import create_api
from tests.support.inprocess import serve
from tests.support.reports import add_organisations, rendering, wait_for_status

ALLOWED = [
    (Role.full, True),
    (Role.full, False),
    (Role.finance, True),
    (Role.finance, False),
    (Role.main, True),
]
REFUSED = [(Role.care, True), (Role.care, False), (Role.admin, True), (Role.admin, False)]


def headers(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "x-forwarded-for": "203.0.113.9"}


@pytest.fixture
async def done_run(env, authority):
    """A rendered CSV run of one organisation, made by a read-only Finance user: (org, run id)."""
    (org,) = await add_organisations(env, authority, ["Access Care"])
    finance = headers(
        env.token(authority_id=authority, organisation_id=org, role=Role.finance, can_edit=False)
    )
    async with rendering(env), serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        created = await api.post(
            "/api/v1/reports/runs",
            json={"report": "organisation-directory", "format": "csv"},
            headers=finance,
        )
        assert created.status_code == 202, created.text
        await wait_for_status(api, created.json()["run_id"], finance, "done")
    return org, created.json()["run_id"]


async def test_finance_and_full_roles_read_only_too_run_view_and_download(env, authority, done_run):
    org, run_id = done_run
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        callers = [
            env.token(authority_id=authority, organisation_id=org, role=role, can_edit=edit)
            for role, edit in ALLOWED
        ] + [env.council_token(authority, can_edit=False)]
        for token in callers:
            assert (await api.get("/api/v1/reports/catalogue", headers=headers(token))).status_code == 200
            created = await api.post(
                "/api/v1/reports/runs", json={"report": "organisation-directory"}, headers=headers(token)
            )
            assert created.status_code == 202, created.text
            assert (
                await api.get(f"/api/v1/reports/runs/{run_id}", headers=headers(token))
            ).status_code == 200
            file = await api.get(f"/api/v1/reports/runs/{run_id}/file", headers=headers(token))
            assert file.status_code == 200, file.text


async def test_care_management_and_admin_roles_get_403_on_every_operation(env, authority, done_run):
    org, run_id = done_run
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        for role, edit in REFUSED:
            token = env.token(authority_id=authority, organisation_id=org, role=role, can_edit=edit)
            answers = [
                await api.get("/api/v1/reports/catalogue", headers=headers(token)),
                await api.get("/api/v1/reports/choices", headers=headers(token)),
                await api.post(
                    "/api/v1/reports/runs", json={"report": "organisation-directory"}, headers=headers(token)
                ),
                await api.get(f"/api/v1/reports/runs/{run_id}", headers=headers(token)),
                await api.get(f"/api/v1/reports/runs/{run_id}/file", headers=headers(token)),
            ]
            for answer in answers:
                assert answer.status_code == 403, (role, edit, answer.request.url, answer.text)
                assert answer.headers["content-type"] == "application/problem+json"
                assert (
                    answer.json()["detail"]
                    == f"your role ({ROLE_NAMES[role]}) does not give access to reports"
                )
    conn = await db.connect(env.dsn("reports"))
    try:
        runs = await conn.fetchval("SELECT count(*) FROM reports.report_run WHERE organisation_id = $1", org)
    finally:
        await conn.close()
    assert runs == 1  # only the one the fixture made: a refused request starts nothing


async def test_a_download_is_published_with_who_from_where_and_what(env, authority, done_run):
    org, run_id = done_run
    subject = str(uuid.uuid4())
    token = env.token(
        authority_id=authority, organisation_id=org, role=Role.full, can_edit=False, subject=subject
    )
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        file = await api.get(f"/api/v1/reports/runs/{run_id}/file", headers=headers(token))
        assert file.status_code == 200
    conn = await db.connect(env.dsn("reports"))
    try:
        rows = await conn.fetch(
            "SELECT body FROM reports.outbox WHERE routing_key = 'reports.artifact.downloaded.v1'"
        )
    finally:
        await conn.close()
    payloads = [json.loads(r["body"])["payload"] for r in rows]
    (mine,) = [p for p in payloads if p["downloaded_by"] == subject]
    assert mine["run_id"] == run_id
    assert (mine["authority_id"], mine["organisation_id"]) == (str(authority), str(org))
    assert (mine["report"], mine["format"], mine["actor_kind"], mine["role"]) == (
        "organisation-directory",
        "csv",
        "user",
        "full",
    )
    assert mine["client_address"] == "203.0.113.9"
    assert mine["filename"].endswith(".csv") and mine["downloaded_at"]


async def test_a_run_is_audited_when_requested_by_its_user_and_when_rendered_by_the_worker(
    env, authority, done_run
):
    org, run_id = done_run
    conn = await db.connect(env.dsn("reports"))
    try:
        entries = await conn.fetch(
            "SELECT * FROM reports.audit_event WHERE subject_id = $1 ORDER BY audit_id", uuid.UUID(run_id)
        )
    finally:
        await conn.close()
    requested, rendered = entries
    assert (requested["action"], requested["actor_kind"], requested["outcome"]) == (
        "report_run_requested",
        "user",
        "success",
    )
    assert (requested["authority_id"], requested["organisation_id"]) == (authority, org)
    assert requested["client_address"] == "203.0.113.9" and requested["request_id"]
    assert requested["detail"] == {"report": "organisation-directory", "format": "csv"}
    assert (rendered["action"], rendered["actor_kind"], rendered["actor_id"]) == (
        "report_run_rendered",
        "system",
        "render",
    )
    assert rendered["detail"] == {"rows": 1}


async def test_the_organisations_list_is_a_reports_route_like_the_others(env, authority):
    """The organisation projection's list, mounted under /api/v1/reports, takes the reports capability."""
    own, _ = await add_organisations(env, authority, ["Listed Care", "Not Ours Care"])
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        for role, edit in REFUSED:
            token = env.token(authority_id=authority, organisation_id=own, role=role, can_edit=edit)
            refused = await api.get("/api/v1/reports/organisations", headers=headers(token))
            assert refused.status_code == 403, (role, edit, refused.text)
            assert refused.headers["content-type"] == "application/problem+json"
            assert (
                refused.json()["detail"] == f"your role ({ROLE_NAMES[role]}) does not give access to reports"
            )
        for role, edit in ALLOWED:
            token = env.token(authority_id=authority, organisation_id=own, role=role, can_edit=edit)
            listed = await api.get("/api/v1/reports/organisations", headers=headers(token))
            assert listed.status_code == 200, (role, edit, listed.text)
            assert [o["name"] for o in listed.json()] == ["Listed Care"]
        council = await api.get(
            "/api/v1/reports/organisations", headers=headers(env.council_token(authority, can_edit=False))
        )
        assert [o["name"] for o in council.json()] == ["Listed Care", "Not Ours Care"]
