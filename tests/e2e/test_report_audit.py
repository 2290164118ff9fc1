"""A report download through the gateway lands in identity's audit log, read by the council: reports
publishes it in the download's transaction, identity's worker consumes it (real processes)."""

from __future__ import annotations

import httpx

from tests.support.identity import bearer, create_user, make_tenant
from tests.support.inprocess import eventually

PASSWORD = "reports are audited 1"
CODE = "604281"


async def log_in(client: httpx.AsyncClient, slug: str, email: str, temporary: str) -> None:
    started = await client.post(
        "/api/v1/auth/login", json={"authority": slug, "email": email, "password": temporary}
    )
    jid = started.json()["journey_id"]
    await client.post(
        "/api/v1/auth/login/password",
        json={"journey_id": jid, "new_password": PASSWORD, "confirm_password": PASSWORD},
    )
    done = await client.post(
        "/api/v1/auth/login/security-code", json={"journey_id": jid, "new_code": CODE, "confirm_code": CODE}
    )
    assert done.json()["step"] == "done", done.text


async def test_a_report_download_is_in_the_councils_audit_log(stack):
    tenant = await make_tenant(stack.env)
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as browser:
        user, temporary = await create_user(browser, stack.env, tenant, role="finance", can_edit=False)
        await log_in(browser, tenant.slug, user["email"], temporary)
        created = await browser.post(
            "/api/v1/reports/runs", json={"report": "organisation-directory", "format": "csv"}
        )
        assert created.status_code == 202, created.text
        run_id = created.json()["run_id"]

        async def rendered() -> bool:
            return (await browser.get(f"/api/v1/reports/runs/{run_id}")).json()["status"] == "done"

        await eventually(rendered, timeout=30, interval=0.2)
        file = await browser.get(f"/api/v1/reports/runs/{run_id}/file")
        assert file.status_code == 200, file.text

        council = bearer(stack.env.council_token(tenant.authority_id))

        async def audited() -> list[dict]:
            entries = await browser.get(
                "/council/v1/identity/audit", params={"action": "report_downloaded"}, headers=council
            )
            assert entries.status_code == 200, entries.text
            return [e for e in entries.json() if e["detail"].get("run_id") == run_id]

        (entry,) = await eventually(audited, timeout=30, interval=0.3)
    assert (entry["actor_kind"], entry["actor_id"], entry["subject_user_id"]) == (
        "user",
        user["user_id"],
        user["user_id"],
    )
    assert entry["organisation_id"] == str(tenant.organisations["A"])
    assert entry["client_address"] == "127.0.0.1"
    assert entry["outcome"] == "success"
    assert entry["detail"]["report"] == "organisation-directory"
    assert (entry["detail"]["format"], entry["detail"]["role"]) == ("csv", "finance")
    assert entry["detail"]["filename"].endswith(".csv") and entry["detail"]["downloaded_at"]
