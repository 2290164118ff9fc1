"""A page form whose text is not UTF-8 is refused by the gateway, naming the field, and nothing is stored:
a percent-escape that is no UTF-8 (`%FF%FE`, which Starlette would read as U+FFFD) in a urlencoded form,
and such bytes in a multipart form's text field (which it would read as Latin-1). Text that is UTF-8,
accents and all, goes through as before."""

from __future__ import annotations

import re
import uuid
from datetime import date

import httpx

from tests.messaging.support import messaging_conn
from tests.support.actions_pages import actions_provider
from tests.support.actuals_pages import actuals_provider, csrf_of, last_week, pages_client
from tests.support.claims_pages import claims_conn, claims_provider

URLENCODED = {"content-type": "application/x-www-form-urlencoded"}
NOT_TEXT = "contains characters that are not valid text (UTF-8)"


def refused_naming(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 400, (answer.status_code, answer.text[:800])
    assert f"{field} {NOT_TEXT}" in answer.text, answer.text[:2000]
    assert "\ufffd" not in answer.text


async def claims_of(stack, organisation_id: uuid.UUID) -> list[str]:
    async with claims_conn(stack.env) as conn:
        rows = await conn.fetch("SELECT notes FROM claims.claim WHERE organisation_id = $1", organisation_id)
    return [row["notes"] for row in rows]


async def actions_of(stack, organisation_id: uuid.UUID) -> int:
    async with messaging_conn(stack.env) as conn:
        return await conn.fetchval(
            "SELECT count(*) FROM messaging.action WHERE organisation_id = $1", organisation_id
        )


async def test_a_new_claim_with_notes_that_are_not_utf8_is_refused_and_not_created(stack):
    provider = await claims_provider(stack)
    today = date.today()
    async with await pages_client(stack, provider.user) as client:
        form = await client.get(f"{provider.base}/new")
        fields = (
            f"csrf_token={csrf_of(form)}&claim_date-day={today.day}&claim_date-month={today.month}"
            f"&claim_date-year={today.year}"
        )
        refused = await client.post(
            f"{provider.base}/new", content=f"{fields}&notes=%FF%FE".encode(), headers=URLENCODED
        )
        refused_naming(refused, "Notes")
        assert await claims_of(stack, provider.organisation_id) == []

        # The same form with UTF-8 (an accent, percent-encoded as a browser sends it) is created.
        created = await client.post(
            f"{provider.base}/new", content=f"{fields}&notes=caf%C3%A9+visit".encode(), headers=URLENCODED
        )
        assert created.status_code == 303, created.text[:800]
        assert await claims_of(stack, provider.organisation_id) == ["café visit"]


async def test_a_new_action_whose_title_is_not_utf8_is_refused_multipart_or_urlencoded(stack):
    provider = await actions_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        form = await client.get(f"{provider.base}/new")
        fields = {
            "csrf_token": csrf_of(form),
            "type_id": provider.types["Foster Carer Query"],
            "related": "provider",
            "team_id": provider.teams["Childrens Services Finance"],
            "text": "When will the mileage be paid?",
        }
        # As New Action's form sends it (multipart), the title's bytes not UTF-8.
        parts = {name: (None, value.encode()) for name, value in fields.items()}
        multipart = await client.post(
            f"{provider.base}/new", files={**parts, "title": (None, b"Mileage \xff\xfe")}
        )
        refused_naming(multipart, "Title")
        # Urlencoded, with a percent-escape that is no UTF-8.
        body = "&".join(f"{name}={value}" for name, value in fields.items()) + "&title=%FF%FE"
        urlencoded = await client.post(f"{provider.base}/new", content=body.encode(), headers=URLENCODED)
        refused_naming(urlencoded, "Title")
        assert await actions_of(stack, provider.tenant.organisations["A"]) == 0


async def test_a_lines_comment_that_is_not_utf8_is_refused_and_the_line_is_unchanged(stack):
    provider = await actuals_provider(stack, clients=1, timetable_every=0)
    week = last_week()
    week_url = f"{provider.week_path}?week={week.isoformat()}"
    async with await pages_client(stack, provider.user) as client:
        page = await client.get(week_url)
        generate = f"/{provider.tenant.slug}/actuals/{provider.package.service_id}/weeks/{week}/generate"
        generated = await client.post(generate, data={"csrf_token": csrf_of(page)})
        page = await client.get(generated.headers["location"])
        edit = re.search(r'href="([^"]+/lines/[^"]+)">Add/Edit', page.text).group(1).replace("&amp;", "&")
        form = await client.get(edit)
        version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
        body = f"csrf_token={csrf_of(form)}&version={version}&actual=9&comment=Carer+ill+%FF%FE"
        refused = await client.post(edit, content=body.encode(), headers=URLENCODED)
        refused_naming(refused, "Comment")
        after = await client.get(edit)
        assert re.search(r'name="version" value="(\d+)"', after.text).group(1) == version
        assert "Carer ill" not in after.text
