"""The Actions and Change Requests pages through the real gateway and messaging service (seed 004
section 4): the home card's real count and light; the seed's journey (New Action with a file, a Comment
that stays with the council, the council's Reply through the council API, the provider's Reply passing
it back, a closure request, the council's closure with its reason, the closed action read only and found
with "Open Actions Only" unticked); the lists' filters and lights by due dates; New Action pre-filled
from a CPLI line, a scheduled payment and a claim, with ids in the address never trusted; bad input at
the form's fields with nothing changed; another provider's action and files not found.

The stack's messaging runs on the real clock: the lights' days are set on the actions' due dates
(tests.support.actions_pages.set_due); messaging's own tests freeze its clock."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from tests.messaging.support import add_tenant, messaging_conn, snapshot
from tests.support.actions_pages import (
    EXE,
    PDF,
    QUERY,
    action_id_of,
    actions_provider,
    another_user,
    council,
    create_action,
    options,
    selected,
    set_due,
    value_of,
)
from tests.support.actuals_pages import actuals_provider, csrf_of, pages_client
from tests.support.claims_pages import offer_levels
from tests.support.portal_login import new_user
from tests.support.scheduled_payments_pages import monday, payments_provider


def cells(html: str) -> list[list[str]]:
    if 'id="actions"' not in html:
        return []
    body = html.split('id="actions"', 1)[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


def back_links(html: str) -> tuple[str, str]:
    """New Action's Back link and its Cancel link."""
    back = re.search(r'<a href="([^"]*)" class="govuk-back-link">', html)
    cancel = re.search(r'<a class="govuk-link" href="([^"]*)">Cancel</a>', html)
    assert back and cancel, html[:800]
    return back.group(1).replace("&amp;", "&"), cancel.group(1).replace("&amp;", "&")


def card_note(home: str) -> str:
    card = home.split('href="/durham-childrens/actions">', 1)[1].split("</li>", 1)[0]
    found = re.search(r'portal-card__note"><strong[^>]*>([^<]+)<', card)
    return found.group(1) if found else ""


async def test_the_seeds_journey_from_a_new_action_to_its_closure(stack):
    provider = await actions_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        home = await client.get("/durham-childrens/home")
        assert "Actions and Change Requests" in home.text and card_note(home.text) == "No open Actions"
        listing = await client.get(provider.base)
        assert listing.status_code == 200 and 'id="no-actions">No open Actions.' in listing.text

        form = await client.get(f"{provider.base}/new")
        assert set(options(form.text, "type_id")) >= {"Foster Carer Query", "CPLI Review", "Payments Message"}
        assert "Childrens Services Finance" in options(form.text, "team_id")
        related = options(form.text, "related")
        assert f"{provider.messaging.client_name} (Client)" in related
        assert f"{provider.messaging.service_name} (Service)" in related

        created = await create_action(
            client,
            provider,
            title="Dawn Stockton Query about my next payment",
            files=[("mileage.pdf", PDF, "application/pdf")],
        )
        assert created.status_code == 303, created.text[:800]
        action_id = action_id_of(created.headers["location"])
        thread = await client.get(created.headers["location"])
        assert "Action created" in thread.text and QUERY.replace("'", "&#39;") in thread.text
        assert 'id="action-assigned">LA (Childrens Services Finance)<' in thread.text
        assert 'id="action-status">Open<' in thread.text  # the list's word for it, below
        [file_id] = re.findall(rf'/actions/{action_id}/attachments/([0-9a-f-]+)"', thread.text)
        download = await client.get(f"{provider.base}/{action_id}/attachments/{file_id}")
        assert download.status_code == 200 and download.content == PDF
        assert "mileage.pdf" in download.headers["content-disposition"]

        rows = cells((await client.get(provider.base)).text)
        assert len(rows) == 1
        status, _, title, re_, due, kind, assigned = rows[0]
        assert (status, title, kind, assigned) == (
            "Open",
            "Dawn Stockton Query about my next payment",
            "Foster Carer Query",
            "LA (Childrens Services Finance)",
        )
        assert re_ == f"{provider.messaging.organisation_name} (Provider)" and due != "--"

        assert card_note((await client.get("/durham-childrens/home")).text) == "1 open Action (status: open)"

        # A comment stays with the council.
        page = await client.get(f"{provider.base}/{action_id}")
        answer = await client.post(
            f"{provider.base}/{action_id}/post",
            data={"csrf_token": csrf_of(page), "move": "comment", "text": "I drove 150 miles."},
        )
        assert answer.status_code == 303 and answer.headers["location"].endswith("?done=comment")
        page = await client.get(f"{provider.base}/{action_id}")
        assert (
            "I drove 150 miles." in page.text
            and 'id="action-assigned">LA (Childrens Services Finance)<' in page.text
        )

        # The council's reply (council API) passes it to the provider.
        replied = await council(
            stack, provider.tenant, "POST", f"/actions/{action_id}/replies", json={"text": "Paid on Friday."}
        )
        assert replied.status_code == 200, replied.text
        page = await client.get(f"{provider.base}/{action_id}")
        assert "Paid on Friday." in page.text and 'id="action-assigned">Provider<' in page.text
        mine = await client.get(
            provider.base, params={"filtered": "1", "open_only": "true", "assigned": "provider"}
        )
        assert [r[2] for r in cells(mine.text)] == ["Dawn Stockton Query about my next payment"]
        theirs = await client.get(
            provider.base, params={"filtered": "1", "open_only": "true", "assigned": "council"}
        )
        assert cells(theirs.text) == []

        # The provider's reply passes it back; then a closure request.
        answer = await client.post(
            f"{provider.base}/{action_id}/post",
            data={"csrf_token": csrf_of(page), "move": "reply", "text": "Thank you."},
        )
        assert answer.status_code == 303
        page = await client.get(f"{provider.base}/{action_id}")
        assert 'id="action-assigned">LA (Childrens Services Finance)<' in page.text
        answer = await client.post(
            f"{provider.base}/{action_id}/closure-request", data={"csrf_token": csrf_of(page)}
        )
        assert answer.status_code == 303
        page = await client.get(f"{provider.base}/{action_id}")
        assert 'id="closure-pending"' in page.text and 'id="request-closure"' not in page.text
        assert 'id="action-status">Open (closure requested)<' in page.text

        # The council closes it with a reason: read only, found with "Open Actions Only" unticked.
        closed = await council(
            stack,
            provider.tenant,
            "POST",
            f"/actions/{action_id}/close",
            json={"reason": "Paid on 4 October."},
        )
        assert closed.status_code == 200, closed.text
        page = await client.get(f"{provider.base}/{action_id}")
        assert "Reason: Paid on 4 October." in page.text and 'id="post-form"' not in page.text
        assert 'id="action-status">Closed<' in page.text
        assert cells((await client.get(provider.base)).text) == []
        everything = await client.get(provider.base, params={"filtered": "1"})
        assert [(r[0], r[2]) for r in cells(everything.text)] == [
            ("None pending", "Dawn Stockton Query about my next payment")
        ]
        assert card_note((await client.get("/durham-childrens/home")).text) == "No open Actions"

        # Replying to a closed action: the service's words, nothing added.
        before = await snapshot(stack.env, action_id)
        refused = await client.post(
            f"{provider.base}/{action_id}/post",
            data={"csrf_token": csrf_of(page), "move": "reply", "text": "One more thing"},
        )
        assert refused.status_code == 409 and "govuk-error-summary" in refused.text
        assert (await snapshot(stack.env, action_id)).posts == before.posts


async def test_the_lights_and_filters_follow_the_due_dates(stack):
    provider = await actions_provider(stack)
    today = date.today()
    async with await pages_client(stack, provider.user) as client:
        ids = {}
        for title in ("Due tomorrow", "Overdue since yesterday", "No due date"):
            made = await create_action(client, provider, title=title)
            assert made.status_code == 303, made.text[:500]
            ids[title] = action_id_of(made.headers["location"])
        await set_due(stack, ids["Due tomorrow"], today + timedelta(days=1))
        await set_due(stack, ids["Overdue since yesterday"], today - timedelta(days=1))
        await set_due(stack, ids["No due date"], None)
        lights = {r[2]: (r[0], r[4]) for r in cells((await client.get(provider.base)).text)}
        assert lights == {
            "Due tomorrow": ("Open", (today + timedelta(days=1)).strftime("%d/%m/%Y")),
            "Overdue since yesterday": ("Overdue", (today - timedelta(days=1)).strftime("%d/%m/%Y")),
            "No due date": ("Open", "--"),
        }
        home = (await client.get("/durham-childrens/home")).text
        assert card_note(home) == "3 open Actions, 1 overdue (status: overdue)"
        # Assigned to one team of the council: all three are Childrens Services Finance's.
        team = provider.teams["Childrens Services Finance"]
        by_team = await client.get(
            provider.base, params={"filtered": "1", "open_only": "true", "assigned": f"team:{team}"}
        )
        assert len(cells(by_team.text)) == 3
        other = provider.teams["Brokerage"]
        assert cells((await client.get(provider.base, params={"assigned": f"team:{other}"})).text) == []


async def test_bad_input_is_shown_at_its_field_and_nothing_is_made(stack):
    provider = await actions_provider(stack)

    async def count() -> int:
        async with messaging_conn(stack.env) as conn:
            return int(
                await conn.fetchval(
                    "SELECT count(*) FROM messaging.action WHERE organisation_id = $1",
                    provider.tenant.organisations["A"],
                )
            )

    async with await pages_client(stack, provider.user) as client:
        too_long = await create_action(client, provider, title="A long one", text="x" * 7501)
        assert too_long.status_code == 422
        assert 'href="#text">Message must be 7,500 characters or fewer (it has 7,501)</a>' in too_long.text
        assert value_of(too_long.text, "title") == "A long one"  # what was typed is kept
        # A title far over its limit is refused in the same words, with the limit the rules keep.
        long_title = await create_action(client, provider, title="T" * 500)
        assert long_title.status_code == 422
        assert 'href="#title">Title must be 200 characters or fewer (it has 500)</a>' in long_title.text
        missing = await create_action(client, provider, title="   ")
        assert missing.status_code == 422 and 'href="#title">Enter the title</a>' in missing.text
        other_client = await create_action(client, provider, title="T", related=f"client:{uuid.uuid4()}")
        assert (
            other_client.status_code == 422 and "Related to is not one of your clients" in other_client.text
        )
        not_a_choice = await create_action(client, provider, title="T", related="client:'; drop")
        assert not_a_choice.status_code == 422 and "Choose what the action is related to" in not_a_choice.text
        form = await client.get(f"{provider.base}/new")
        foreign_type = await client.post(
            f"{provider.base}/new",
            data={
                "csrf_token": csrf_of(form),
                "type_id": str(uuid.uuid4()),
                "related": "provider",
                "title": "T",
                "text": "x",
            },
        )
        assert (
            foreign_type.status_code == 422
            and "Type is not an action type of your council" in foreign_type.text
        )
        assert await count() == 0
        # A file messaging refuses, beside a good one: nothing is made (neither the action nor the good
        # file), the form comes back as typed with the refused file named and a word to choose files again.
        refused_file = await create_action(
            client,
            provider,
            title="With a bad file",
            text="Keep what I typed",
            files=[("rota.txt", b"Monday: Ann\n", "text/plain"), ("tool.exe", EXE, "application/pdf")],
        )
        assert refused_file.status_code == 422, refused_file.text[:500]
        assert 'href="#attachment">tool.exe: Files named .exe are not accepted' in refused_file.text
        assert "Keep what I typed" in refused_file.text and "choose them again" in refused_file.text
        assert "Optional. Up to 5 files: PDF, image, spreadsheet" in refused_file.text
        assert await count() == 0
        made = await create_action(client, provider, title="With a bad file")
        assert made.status_code == 303 and await count() == 1
        # On the thread: no file chosen, a refused file, a move that is not one; nothing added.
        action_id = action_id_of(made.headers["location"])
        before = await snapshot(stack.env, action_id)
        page = await client.get(f"{provider.base}/{action_id}")
        token = csrf_of(page)
        empty = await client.post(f"{provider.base}/{action_id}/attachments", data={"csrf_token": token})
        assert empty.status_code == 422 and 'href="#attachment">Choose a file to add</a>' in empty.text
        refused = await client.post(
            f"{provider.base}/{action_id}/attachments",
            data={"csrf_token": token},
            files=[("attachment", ("tool.exe", EXE, "application/pdf"))],
        )
        assert refused.status_code == 422 and 'href="#attachment">' in refused.text
        odd = await client.post(
            f"{provider.base}/{action_id}/post", data={"csrf_token": token, "move": "close", "text": "x"}
        )
        assert odd.status_code == 422 and "Choose Comment or Reply" in odd.text
        empty_reply = await client.post(
            f"{provider.base}/{action_id}/post", data={"csrf_token": token, "move": "reply", "text": "  "}
        )
        assert empty_reply.status_code == 422 and 'href="#text">' in empty_reply.text
        assert await snapshot(stack.env, action_id) == before
        added = await client.post(
            f"{provider.base}/{action_id}/attachments",
            data={"csrf_token": token},
            files=[("attachment", ("mileage.pdf", PDF, "application/pdf"))],
        )
        assert added.status_code == 303 and added.headers["location"].endswith("?done=attached")
        assert (await snapshot(stack.env, action_id)).attachments == before.attachments + 1


async def test_another_providers_action_and_files_are_not_found(stack):
    owner = await actions_provider(stack)
    stranger = await actions_provider(stack)
    async with await pages_client(stack, owner.user) as client:
        made = await create_action(
            client, owner, title="Private", files=[("mileage.pdf", PDF, "application/pdf")]
        )
        action_id = action_id_of(made.headers["location"])
        page = await client.get(made.headers["location"])
        [file_id] = re.findall(rf'/actions/{action_id}/attachments/([0-9a-f-]+)"', page.text)
    async with await pages_client(stack, stranger.user) as client:
        assert (await client.get(f"{stranger.base}/{action_id}")).status_code == 404
        assert (await client.get(f"{stranger.base}/{action_id}/attachments/{file_id}")).status_code == 404
        assert (await client.get(f"{stranger.base}/not-an-id")).status_code == 404
        page = await client.get(stranger.base)
        answer = await client.post(
            f"{stranger.base}/{action_id}/post",
            data={"csrf_token": csrf_of(page), "move": "reply", "text": "hi"},
        )
        assert answer.status_code == 404
    reader = await another_user(stack, owner, role="care", can_edit=False)
    async with await pages_client(stack, reader) as client:
        page = await client.get(f"{owner.base}/{action_id}")
        assert page.status_code == 200 and 'id="post-form"' not in page.text
        assert (await client.get(f"{owner.base}/new")).status_code == 403


async def test_new_action_prefilled_from_a_claim_and_a_payment_never_trusts_the_address(stack):
    provider = await actions_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        # Ids that are not ids, or not this provider's: "Page not found", nothing pre-filled.
        assert (await client.get(f"{provider.base}/new", params={"claim_id": "x"})).status_code == 404
        assert (
            await client.get(f"{provider.base}/new", params={"claim_id": str(uuid.uuid4())})
        ).status_code == 404
        assert (
            await client.get(f"{provider.base}/new", params={"payment_id": str(uuid.uuid4())})
        ).status_code == 404
        cpli = await client.get(
            f"{provider.base}/new",
            params={"cpli_id": str(uuid.uuid4()), "client_id": str(provider.messaging.client_id)},
        )
        assert cpli.status_code == 404
        # A claim of this provider's (Durham takes claims from a provider it offers levels to): its date
        # in the title, a payments type.
        await offer_levels(stack, provider.tenant)
        form = await client.get("/durham-childrens/one-off-claims/new")
        made = await client.post(
            "/durham-childrens/one-off-claims/new",
            data={
                "csrf_token": csrf_of(form),
                "claim_date-day": "6",
                "claim_date-month": "9",
                "claim_date-year": str(date.today().year),
                "notes": "Mileage",
            },
        )
        assert made.status_code == 303, made.text[:500]
        claim_page = await client.get(made.headers["location"])
        link = re.search(r'href="(/durham-childrens/actions/new\?claim_id=[^"]+)"', claim_page.text)
        assert link, "no 'Send a message about this' on the claim page"
        prefilled = await client.get(link.group(1).replace("&amp;", "&"))
        assert prefilled.status_code == 200
        # Back and Cancel return to the claim the message is about, not to the actions list.
        claim_path = made.headers["location"].split("?", 1)[0]
        assert back_links(prefilled.text) == (claim_path, claim_path)
        assert value_of(prefilled.text, "title") == f"Query about my claim of 6 September {date.today().year}"
        assert selected(prefilled.text, "type_id") == provider.types["Payments Message"]
        assert selected(prefilled.text, "related") == "provider"


async def test_new_action_prefilled_from_a_cpli_line(stack):
    """The CPLI list's "Send a message about this": a CPLI Review about the line's client, its title
    naming the client and service level, the client chosen as messaging knows it (its projection of
    actuals' clients and CPLIs, set here as actuals' events would leave it)."""
    provider = await actuals_provider(stack, slug="telford-wrekin", role="full", clients=2, timetable_every=0)
    tenant = provider.tenant
    client_id = provider.package.client_ids[0]
    async with messaging_conn(stack.env) as conn:
        await add_tenant(
            conn, authority_id=tenant.authority_id, label="cpli", organisation_id=tenant.organisations["A"]
        )
        name = f"Client {client_id.hex[:6]}"
        await conn.execute(
            "INSERT INTO messaging.client (client_id, authority_id, reference, name, revision, updated_at)"
            " VALUES ($1, $2, $3, $4, 1, now())",
            client_id,
            tenant.authority_id,
            f"C{client_id.hex[:7]}",
            name,
        )
        await conn.execute(
            "INSERT INTO messaging.placement (cpli_id, authority_id, organisation_id, contract_id, service_id,"
            " client_id, start_date, end_date, authorised, revision, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, true, 1, now())",
            provider.package.cpli_ids[0],
            tenant.authority_id,
            tenant.organisations["A"],
            provider.package.contract_id,
            provider.package.service_id,
            client_id,
            date.today() - timedelta(days=365),
        )
    answer = await council(stack, tenant, "POST", "/configuration/defaults")
    assert answer.status_code == 200, answer.text
    cpli_review = next(t["type_id"] for t in answer.json() if t["name"] == "CPLI Review")
    async with await pages_client(stack, provider.user) as client:
        lines = await client.get(f"/{tenant.slug}/care-package-line-items")
        links = re.findall(r'href="(/telford-wrekin/actions/new\?cpli_id=[^"]+)"', lines.text)
        ours = next(link for link in links if f"client_id={client_id}" in link)
        prefilled = await client.get(ours.replace("&amp;", "&"))
        assert prefilled.status_code == 200, prefilled.text[:500]
        assert selected(prefilled.text, "type_id") == cpli_review
        assert selected(prefilled.text, "related") == f"client:{client_id}"
        assert value_of(prefilled.text, "title").startswith("CPLI Review: ")
        # Back and Cancel return to the list of lines the message was started from.
        lines_path = f"/{tenant.slug}/care-package-line-items"
        assert back_links(prefilled.text) == (lines_path, lines_path)
        # The line's id with another client's id in the address: not that client's line, not found.
        forged = ours.replace("&amp;", "&").replace(str(client_id), str(provider.package.client_ids[1]))
        assert (await client.get(forged)).status_code == 404


async def test_new_action_prefilled_from_a_scheduled_payment(stack):
    """A scheduled payment's page offers "Send a message about this" to a person who may send one (Full
    Access with Edit), not to Finance Functions (no Actions), and the form names the period."""
    provider = await payments_provider(stack, role="full")
    payment_id = str(provider.current.payment_id)
    async with await pages_client(stack, provider.user) as client:
        await council(stack, provider.tenant, "POST", "/configuration/defaults")
        page = await client.get(f"{provider.base}/{payment_id}")
        link = re.search(r'href="(/durham-childrens/actions/new\?payment_id=[^"]+)"', page.text)
        assert link and 'id="message-about"' in page.text
        prefilled = await client.get(link.group(1).replace("&amp;", "&"))
        assert prefilled.status_code == 200
        # Back and Cancel return to the payment the message is about.
        payment_path = f"{provider.base}/{payment_id}"
        assert back_links(prefilled.text) == (payment_path, payment_path)
        start = monday(2)
        end = start + timedelta(days=6)
        assert value_of(prefilled.text, "title") == (
            f"Query about the payment for {start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
        )
        assert selected(prefilled.text, "related") == "provider"
    finance = await new_user(stack, tenant=provider.tenant, role="finance")
    async with await pages_client(stack, finance) as client:
        page = await client.get(f"{provider.base}/{payment_id}")
        assert page.status_code == 200 and 'id="message-about"' not in page.text


async def test_new_actions_way_back_is_a_path_of_this_site_and_survives_a_refused_form(stack):
    """Back and Cancel go where the person came from (`return_to`), kept through a refused form in a
    hidden field; anything but a path of this site (another host, a scheme, a backslash) is the list."""
    provider = await actions_provider(stack)
    origin = "/durham-childrens/scheduled-payments?page=2"
    async with await pages_client(stack, provider.user) as client:
        plain = await client.get(f"{provider.base}/new")
        assert back_links(plain.text) == (provider.base, provider.base)
        for unsafe in (
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "evil.example",
            "javascript:alert(1)",
        ):
            page = await client.get(f"{provider.base}/new", params={"return_to": unsafe})
            assert page.status_code == 200 and back_links(page.text) == (provider.base, provider.base), unsafe
        form = await client.get(f"{provider.base}/new", params={"return_to": origin})
        assert back_links(form.text) == (origin, origin)
        refused = await client.post(
            f"{provider.base}/new",
            data={
                "csrf_token": csrf_of(form),
                "type_id": provider.types["Foster Carer Query"],
                "related": "provider",
                "title": "  ",
                "text": "x",
                "return_to": origin,
            },
        )
        assert refused.status_code == 422 and 'href="#title">Enter the title</a>' in refused.text
        assert back_links(refused.text) == (origin, origin)
        forged = await client.post(
            f"{provider.base}/new",
            data={"csrf_token": csrf_of(form), "title": "", "text": "", "return_to": "//evil.example"},
        )
        assert forged.status_code == 422 and back_links(forged.text) == (provider.base, provider.base)


async def test_a_file_of_a_few_megabytes_is_attached_to_a_new_action(stack):
    """Over 1 MiB (the gateway's limit for forms) and under messaging's 10 MB: before, the gateway
    answered its generic "too large" page and the typed action was lost."""
    provider = await actions_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        # A scanned letter of a few MB goes through the gateway to messaging (1 MiB is the forms' limit).
        scan = PDF + b"%" + b"0" * (3 * 1024 * 1024) + b"\n"
        bigger = await create_action(
            client, provider, title="A scanned letter", files=[("letter.pdf", scan, "application/pdf")]
        )
        assert bigger.status_code == 303, bigger.text[:800]
        big_thread = await client.get(bigger.headers["location"])
        [big_id] = re.findall(r'/attachments/([0-9a-f-]+)"', big_thread.text)
        fetched = await client.get(
            f"{provider.base}/{action_id_of(bigger.headers['location'])}/attachments/{big_id}"
        )
        assert fetched.status_code == 200 and fetched.content == scan
