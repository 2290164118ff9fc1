"""An authority's branding: the council edits it (name, colours, support contact, help text, logo), the
gateway reads it by the portal's address. Colours must keep white header text readable; a logo's type
is read from its bytes."""

from __future__ import annotations

from shared import db
from tests.identity.integration.test_directory import outbox_payloads
from tests.support.branding import tiny_png as png
from tests.support.identity import bearer

BRANDING = "/council/v1/identity/authority/branding"
TELFORD = {
    "name": "Telford & Wrekin Council",
    "primary_colour": "#00594F",
    "support_team": "Provider Portal team",
    "support_email": "ECM@telford.gov.uk",
    "support_phone": "01952 380000",
    "support_hours": "Monday to Friday, 9am to 5pm",
    "help_text": "Our guide for providers is on the council's website.",
}


def internal(env) -> dict[str, str]:
    return {"x-gateway-secret": env.gateway_secret}


async def test_the_council_replaces_its_branding_and_the_gateway_reads_it(identity_api, env, tenant):
    council = bearer(env.council_token(tenant.authority_id))
    before = await identity_api.get(BRANDING, headers=council)
    assert (
        before.status_code == 200 and before.json()["support_team"] is None and before.json()["logo"] is None
    )

    saved = await identity_api.put(BRANDING, json=TELFORD, headers=council)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["primary_colour"] == "#00594f"  # stored in lower case
    assert body["secondary_colour"] == "#0b0c0c" and body["revision"] == before.json()["revision"] + 1
    events = await outbox_payloads(env, "identity.authority.upserted.v1", tenant.authority_id)
    assert events[-1]["name"] == "Telford & Wrekin Council" and events[-1]["revision"] == body["revision"]

    pages = await identity_api.get(
        f"/internal/v1/identity/authorities/{tenant.slug}/branding", headers=internal(env)
    )
    assert pages.status_code == 200
    seen = pages.json()
    assert (seen["support_email"], seen["support_hours"], seen["help_text"]) == (
        "ECM@telford.gov.uk",
        "Monday to Friday, 9am to 5pm",
        TELFORD["help_text"],
    )
    assert (
        seen["password_rules"][0].startswith("at least 12 characters") and seen["max_password_failures"] == 3
    )
    assert seen["security_code_rules"][0] == "exactly 6 digits, only the numbers 0 to 9"

    # PUT replaces the whole: what is left out is cleared.
    cleared = await identity_api.put(
        BRANDING, json={"name": "Telford & Wrekin Council", "primary_colour": "#00594f"}, headers=council
    )
    assert cleared.json()["support_hours"] is None and cleared.json()["support_email"] is None


async def test_colours_that_white_text_cannot_be_read_on_are_refused(identity_api, env, tenant):
    council = bearer(env.council_token(tenant.authority_id))
    for colour, words in (("#ffdd00", "too light"), ("#1d70b9", None), ("green", "#rrggbb")):
        answer = await identity_api.put(BRANDING, json={**TELFORD, "primary_colour": colour}, headers=council)
        if words is None:
            assert answer.status_code == 200, answer.text  # GOV.UK blue: 5.17:1
            continue
        assert answer.status_code == 422, answer.text
        error = answer.json()["errors"][0]
        assert error["field"] == "primary_colour" and words in error["message"]
    light = await identity_api.put(BRANDING, json={**TELFORD, "secondary_colour": "#dddddd"}, headers=council)
    assert light.status_code == 422 and "1.36:1" in light.json()["errors"][0]["message"]
    # The older PATCH of the authority keeps to the same rule.
    patched = await identity_api.patch(
        "/council/v1/identity/authority", json={"primary_colour": "#ffdd00"}, headers=council
    )
    assert patched.status_code == 422 and patched.json()["errors"][0]["field"] == "primary_colour"


async def test_only_a_council_editor_changes_branding(identity_api, env, tenant):
    read_only = bearer(env.council_token(tenant.authority_id, can_edit=False))
    assert (await identity_api.get(BRANDING, headers=read_only)).status_code == 200
    assert (await identity_api.put(BRANDING, json=TELFORD, headers=read_only)).status_code == 403
    provider = bearer(env.token(authority_id=tenant.authority_id, organisation_id=tenant.organisations["A"]))
    assert (await identity_api.get(BRANDING, headers=provider)).status_code == 403
    assert (await identity_api.put(BRANDING, json=TELFORD, headers=provider)).status_code == 403
    assert (await identity_api.put(f"{BRANDING}/logo", content=png(), headers=provider)).status_code == 403


async def test_the_logo_is_checked_from_its_content_and_served_to_the_gateway(identity_api, env, tenant):
    council = bearer(env.council_token(tenant.authority_id))
    logo_url = f"/internal/v1/identity/authorities/{tenant.slug}/logo"
    assert (await identity_api.get(logo_url, headers=internal(env))).status_code == 404
    image = png()
    # Whatever the uploader says it is, the content decides.
    saved = await identity_api.put(
        f"{BRANDING}/logo", content=image, headers={**council, "content-type": "application/octet-stream"}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["logo"]["media_type"] == "image/png" and saved.json()["logo"]["bytes"] == len(image)
    served = await identity_api.get(logo_url, headers=internal(env))
    assert served.content == image and served.headers["content-type"] == "image/png"
    assert served.headers["etag"] == f'"{saved.json()["logo"]["sha256"]}"'

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for content, words in ((svg, "PNG or JPEG"), (b"", "empty"), (image + b"\0" * 102400, "at most")):
        refused = await identity_api.put(
            f"{BRANDING}/logo", content=content, headers={**council, "content-type": "image/svg+xml"}
        )
        assert refused.status_code == 422 and words in refused.json()["errors"][0]["message"]
        assert refused.json()["errors"][0]["field"] == "logo"
    assert (await identity_api.get(logo_url, headers=internal(env))).content == image  # unchanged

    removed = await identity_api.delete(f"{BRANDING}/logo", headers=council)
    assert removed.status_code == 200 and removed.json()["logo"] is None
    assert (await identity_api.delete(f"{BRANDING}/logo", headers=council)).status_code == 404
    conn = await db.connect(env.dsn("identity"))
    try:
        actions = await conn.fetch(
            "SELECT action FROM identity.audit_event WHERE authority_id = $1 ORDER BY audit_id",
            tenant.authority_id,
        )
    finally:
        await conn.close()
    assert [r["action"] for r in actions][-2:] == ["logo_changed", "logo_removed"]


async def test_the_internal_branding_is_for_the_gateway_only(identity_api, env, tenant):
    url = f"/internal/v1/identity/authorities/{tenant.slug}/branding"
    assert (await identity_api.get(url)).status_code == 403
    assert (await identity_api.get(url, headers={"x-gateway-secret": "guess"})).status_code == 403
    unknown = await identity_api.get(
        "/internal/v1/identity/authorities/no-such-council/branding", headers=internal(env)
    )
    assert unknown.status_code == 404 and "no-such-council" in unknown.json()["detail"]
