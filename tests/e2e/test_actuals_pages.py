"""The Actuals and Care Package Line Items pages through the real gateway and actuals service: the
home page's cards and count, the CPLI list (filters, sorting, pages, CSV), a week (Generate Actuals, a
line saved with a comment, its errors and a conflict, visits, Confirm week), read-only roles, another
provider's ids, and the pages when actuals is asked for what does not exist."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from tests.support.actuals_pages import (
    actuals_provider,
    csrf_of,
    last_week,
    pages_client,
    post_form,
)

WEEK = last_week()


def texts(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of the table `table_id`."""
    body = html.split(f'id="{table_id}"', 1)[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in rows
    ]


async def test_home_cards_lead_to_the_pages_and_count_the_weeks_to_confirm(stack):
    provider = await actuals_provider(stack, clients=3)
    async with await pages_client(stack, provider.user) as client:
        home = await client.get(f"/{provider.tenant.slug}/home")
        assert home.status_code == 200
        cards = texts(home.text, r'portal-card__link" href="([^"]+)">([^<]+)<')
        assert cards == [
            (f"/{provider.tenant.slug}/actions", "Actions and Change Requests"),
            (f"/{provider.tenant.slug}/actuals", "Actuals"),
            (f"/{provider.tenant.slug}/care-package-line-items", "Care Package Line Items"),
        ]
        # The CPLIs started a year ago: the 12 past weeks counted are all unconfirmed.
        assert "12 weeks of the last 12 to confirm" in home.text
        services = await client.get(f"/{provider.tenant.slug}/actuals")
        assert services.status_code == 200
        assert f'href="/{provider.tenant.slug}/actuals/{provider.package.service_id}"' in services.text
        assert "12 weeks of the last 12 to confirm" in services.text


async def test_cplis_filter_sort_page_and_download(stack):
    provider = await actuals_provider(stack, clients=60, timetable_every=0)
    base = f"/{provider.tenant.slug}/care-package-line-items"
    async with await pages_client(stack, provider.user) as client:
        first = await client.get(base)
        assert first.status_code == 200, first.text[:300]
        rows = cells(first.text, "cplis")
        assert len(rows) == 50
        headers = texts(
            first.text, r'<th scope="col" class="govuk-table__header"[^>]*>(?:<a[^>]*>)?([A-Za-z ]+)'
        )
        assert headers[:10] == [
            "SSRef",
            "Client",
            "Service",
            "Service Level",
            "Start Date",
            "End Date",
            "Cost",
            "Pricing",
            "CarePackageRef",
            "Authorised",
        ]
        assert 'aria-sort="ascending"' in first.text  # by client, as the service sorts by default
        names = [row[1] for row in rows]
        assert names == sorted(names)
        band = next(row for row in rows if row[3] == "Band 4 - Single Room - Long Term")
        assert band[6] == "£646.06 Weekly" and band[9] == "Yes"
        assert 'type="checkbox"' not in first.text.split('id="cplis"', 1)[1]  # Authorised is text
        # Each line starts a message about it (New Action pre-filled: tests/e2e/test_actions_pages.py).
        line = rows[0]
        assert line[-1].startswith("Send a message about this")
        assert "/actions/new?cpli_id=" in first.text and "&amp;client_id=" in first.text
        second = await client.get(base, params={"page": "2"})
        assert len(cells(second.text, "cplis")) == 10 and 'rel="prev"' in second.text
        assert 'rel="next"' in first.text and 'rel="next"' not in second.text

        descending = await client.get(base, params={"sort": "-client"})
        names_down = [row[1] for row in cells(descending.text, "cplis")]
        assert names_down == sorted(names_down, reverse=True) and 'aria-sort="descending"' in descending.text

        level = str(provider.package.weeks_level_id)
        only = await client.get(base, params={"service_level_id": level})
        levels = {row[3] for row in cells(only.text, "cplis")}
        assert levels == {"Band 4 - Single Room - Long Term"}
        assert f'<option value="{level}" selected>' in only.text

        csv = await client.get(base + ".csv", params={"service_level_id": level})
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert "attachment" in csv.headers["content-disposition"]
        text = csv.content.decode("utf-8-sig")
        assert len(text.strip().splitlines()) == 1 + len(levels and cells(only.text, "cplis"))


async def test_a_week_generated_edited_with_a_comment_and_confirmed(stack):
    provider = await actuals_provider(stack, clients=4, timetable_every=0)
    week_path = provider.week_path
    week_url = f"{week_path}?week={WEEK.isoformat()}"
    slug = provider.tenant.slug
    async with await pages_client(stack, provider.user) as client:
        page = await client.get(week_url)
        assert page.status_code == 200
        assert "Not started" in page.text and "Generate Actuals" in page.text
        assert {row[3] for row in cells(page.text, "actuals")} == {"Not generated"}
        assert "Add/Edit" not in page.text  # nothing to edit before the lines exist
        filters = await client.get(f"{week_path}/filter", params={"week": WEEK.isoformat()})
        assert filters.status_code == 200 and provider.package.client_names[1] in filters.text
        chosen = str(provider.package.client_ids[1])
        only = await client.get(week_path, params={"week": WEEK.isoformat(), "client_id": chosen})
        assert [row[0] for row in cells(only.text, "actuals")] == [provider.package.client_names[1]]
        assert f"Client: {provider.package.client_names[1]}" in only.text and "Clear filters" in only.text

        # Confirming before the lines exist is refused in the service's words, not as someone else's change.
        early = await client.post(
            f"/{slug}/actuals/{provider.package.service_id}/weeks/{WEEK}/confirm",
            data={"csrf_token": csrf_of(page), "version": "0"},
        )
        assert early.status_code == 409
        assert "4 clients with an authorised care package this week have no line yet" in early.text
        assert "generate actuals first" in early.text and "Someone else changed" not in early.text

        generated = await post_form(
            client, week_url, f"/{slug}/actuals/{provider.package.service_id}/weeks/{WEEK}/generate", {}
        )
        assert generated.status_code == 303
        page = await client.get(generated.headers["location"])
        assert "Actuals generated" in page.text and ">Open<" in page.text
        footer = re.search(r'id="week-total">([^<]+)<', page.text).group(1)
        assert re.fullmatch(r"Total: £[\d,]+\.\d\d of £[\d,]+\.\d\d", footer), footer

        edit = re.search(r'href="([^"]+/lines/[^"]+)">Add/Edit', page.text).group(1).replace("&amp;", "&")
        form = await client.get(edit)
        assert form.status_code == 200 and 'inputmode="decimal"' in form.text
        version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
        action = edit.split("?", 1)[0]
        # A cleared Actual is asked for, not saved as nothing delivered.
        blank = await client.post(
            edit, data={"csrf_token": csrf_of(form), "version": version, "actual": "", "comment": ""}
        )
        assert blank.status_code == 422 and 'href="#actual"' in blank.text
        assert "Enter the actual quantity: 0 if nothing was delivered" in blank.text
        # A quarter-unit rule broken and a variance without a comment: each at its field.
        refused = await client.post(
            edit,
            data={"csrf_token": csrf_of(form), "version": version, "actual": "8.3", "comment": ""},
        )
        assert refused.status_code == 422, refused.text[:500]
        assert "govuk-error-summary" in refused.text and 'href="#actual"' in refused.text
        assert 'id="actual-error"' in refused.text
        saved = await client.post(
            edit,
            data={
                "csrf_token": csrf_of(form),
                "version": version,
                "actual": "8.25",
                "comment": "Carer ill on Friday",
            },
        )
        assert saved.status_code == 303, saved.text[:500]
        page = await client.get(saved.headers["location"])
        assert "Carer ill on Friday" in page.text and "8.25" in page.text

        # The form opened before that save is now stale: a conflict, with the figures now saved.
        stale = await client.post(
            edit,
            data={"csrf_token": csrf_of(form), "version": version, "actual": "7", "comment": "Late"},
        )
        assert stale.status_code == 409
        assert "Someone else changed this week" in stale.text and 'id="conflict"' in stale.text
        assert "Carer ill on Friday" in stale.text
        assert action.endswith(edit.split("?", 1)[0].rsplit("/", 1)[1])

        version_now = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        confirmed = await client.post(
            f"/{slug}/actuals/{provider.package.service_id}/weeks/{WEEK}/confirm",
            data={"csrf_token": csrf_of(page), "version": version_now},
        )
        assert confirmed.status_code == 303
        page = await client.get(confirmed.headers["location"])
        assert "Week confirmed" in page.text and ">Confirmed<" in page.text
        assert "Add/Edit" not in page.text and 'id="confirm"' not in page.text
        assert 'id="generate"' not in page.text

        export = await client.get(
            f"/{slug}/actuals/export.csv",
            params={"service_id": str(provider.package.service_id), "from": str(WEEK), "to": str(WEEK)},
        )
        assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
        exported = export.content.decode("utf-8-sig")
        assert exported.startswith("file_reference,service,client_reference,week_commencing,actual")
        assert "Carer ill on Friday" in exported and "8.25" in exported


def summary_links(html: str) -> list[tuple[str, str]]:
    """The error summary's (field link, text) pairs, in order."""
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [(href, text.strip()) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)]


async def test_one_save_of_a_line_names_every_fault_at_once(stack):
    """A figure that is not a number beside rules broken in other fields (a quarter-unit step, visits,
    a comment too long or missing): one answer names them all, each at its field, as typed."""
    provider = await actuals_provider(stack, clients=2, timetable_every=0)
    week_url = f"{provider.week_path}?week={WEEK.isoformat()}"
    slug = provider.tenant.slug
    async with await pages_client(stack, provider.user) as client:
        generated = await post_form(
            client, week_url, f"/{slug}/actuals/{provider.package.service_id}/weeks/{WEEK}/generate", {}
        )
        page = await client.get(generated.headers["location"])
        edit = re.search(r'href="([^"]+/lines/[^"]+)">Add/Edit', page.text).group(1).replace("&amp;", "&")
        form = await client.get(edit)
        version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
        sent = {"csrf_token": csrf_of(form), "version": version}

        refused = await client.post(
            edit, data={**sent, "actual": "", "frustrated": "x", "visits": "lots", "comment": "y" * 1001}
        )
        assert refused.status_code == 422, refused.text[:500]
        assert summary_links(refused.text) == [
            ("#actual", "Enter the actual quantity: 0 if nothing was delivered"),
            ("#frustrated", "Frustrated must be a number, like 7.5 (not &#39;x&#39;)"),
            ("#visits", "The number of visits must be a whole number from 0 to 1000 (not &#39;lots&#39;)"),
            ("#comment", "A comment must be 1,000 characters or fewer (it has 1,001)"),
        ]
        assert 'name="frustrated" type="text" value="x"' in refused.text
        assert 'name="visits" type="text" value="lots"' in refused.text and "y" * 1001 in refused.text

        variance = await client.post(edit, data={**sent, "actual": "8.3", "missed": "x", "comment": ""})
        assert variance.status_code == 422, variance.text[:500]
        assert [href for href, _ in summary_links(variance.text)] == ["#actual", "#missed", "#comment"]
        assert "A comment is required when delivery differs from plan" in variance.text

        page = await client.get(week_url)
        assert (
            "Open" in page.text and re.search(r'name="version" value="(\d+)"', page.text).group(1) == version
        )


async def test_a_timetabled_line_records_its_visits(stack):
    provider = await actuals_provider(stack, clients=1, timetable_every=1)
    slug = provider.tenant.slug
    week_url = f"{provider.week_path}?week={WEEK.isoformat()}"
    async with await pages_client(stack, provider.user) as client:
        await post_form(
            client, week_url, f"/{slug}/actuals/{provider.package.service_id}/weeks/{WEEK}/generate", {}
        )
        page = await client.get(week_url)
        visits_url = re.search(r'href="([^"]+/visits\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
        form = await client.get(visits_url)
        assert form.status_code == 200
        assert len(re.findall(r'name="visit_date_\d+"', form.text)) == 4  # 3 planned and the new row
        data = {
            "csrf_token": csrf_of(form),
            "version": re.search(r'name="version" value="(\d+)"', form.text).group(1),
            "rows": "3",
            "comment": "Client in hospital on Friday",
        }
        for n in range(3):
            for name in ("visit_date", "start_time", "minutes", "carers"):
                data[f"{name}_{n}"] = re.search(
                    rf'name="{name}_{n}" type="[a-z]+" value="([^"]*)"', form.text
                ).group(1)
            data[f"status_{n}"] = "delivered"
        data["status_2"] = "frustrated"
        bad = {
            **data,
            "visit_date_3": str(WEEK),
            "start_time_3": "18:00",
            "minutes_3": "-5",
            "carers_3": "1",
            "status_3": "extra",
        }
        refused = await client.post(visits_url, data=bad)
        summary = refused.text.split("govuk-error-summary__list", 1)[-1][:600]
        assert refused.status_code == 422 and 'id="minutes_3-error"' in refused.text, summary
        # a new row's start time left blank is asked for, not called "not one of the choices"
        blank = await client.post(visits_url, data={**bad, "start_time_3": "", "minutes_3": "30"})
        assert blank.status_code == 422
        assert 'href="#start_time_3">Visit 4: start time is required</a>' in blank.text, blank.text[-3000:]
        # every fault of the form in one answer: a day outside the week, a negative length, no comment
        several = await client.post(
            visits_url, data={**bad, "visit_date_0": str(WEEK - timedelta(days=1)), "comment": ""}
        )
        assert several.status_code == 422
        for field in ("visit_date_0", "minutes_3", "comment"):
            assert f'href="#{field}"' in several.text, (field, several.text[-3000:])
        good = {**bad, "minutes_3": "30"}
        saved = await client.post(visits_url, data=good)
        assert saved.status_code == 303, saved.text[:800]
        page = await client.get(saved.headers["location"])
        row = cells(page.text, "actuals")[0]
        # 2 delivered and the extra one are visits; the frustrated 45 minutes are 0.75 hours
        assert (row[5], row[7], row[8]) == ("0.75", "0.5", "3")
        assert "Client in hospital on Friday" in page.text


async def test_read_only_roles_see_the_figures_without_buttons(stack):
    provider = await actuals_provider(stack, clients=2, timetable_every=0, can_edit=False)
    slug = provider.tenant.slug
    week_url = f"{provider.week_path}?week={WEEK.isoformat()}"
    async with await pages_client(stack, provider.user) as client:
        page = await client.get(week_url)
        assert page.status_code == 200 and len(cells(page.text, "actuals")) == 2
        for absent in ('id="generate"', 'id="confirm"', "Add/Edit"):
            assert absent not in page.text
        refused = await client.post(
            f"/{slug}/actuals/{provider.package.service_id}/weeks/{WEEK}/generate",
            data={"csrf_token": csrf_of(page)},
        )
        assert refused.status_code == 403 and "read only" in refused.text
        imports = await client.get(f"/{slug}/actuals/import")
        assert imports.status_code == 200 and 'id="read-only"' in imports.text
        assert 'type="file"' not in imports.text


async def test_other_providers_ids_future_weeks_and_bad_addresses(stack):
    mine = await actuals_provider(stack, clients=1)
    theirs = await actuals_provider(stack, clients=1)
    slug = mine.tenant.slug
    async with await pages_client(stack, mine.user) as client:
        other = await client.get(f"/{slug}/actuals/{theirs.package.service_id}")
        assert other.status_code == 404 and "Page not found" in other.text
        assert theirs.package.client_names[0] not in other.text
        assert (await client.get(f"/{slug}/actuals/not-a-service")).status_code == 404
        future = date.today() + timedelta(days=14)
        page = await client.get(mine.week_path, params={"week": future.isoformat()})
        assert page.status_code == 200
        assert "govuk-error-summary" in page.text and 'id="week-error"' in page.text
        assert 'id="actuals"' not in page.text
        typo = await client.get(mine.week_path, params={"week": "31/02/2026"})
        assert "Enter the week as a date" in typo.text
        line = await client.get(
            f"{mine.week_path}/weeks/{WEEK}/lines/{uuid.uuid4()}", params={"client": str(uuid.uuid4())}
        )
        assert line.status_code == 404


@pytest.mark.parametrize("role", ["finance", "admin"])
async def test_roles_without_care_management_are_kept_out(stack, role):
    provider = await actuals_provider(stack, clients=1, role=role)
    async with await pages_client(stack, provider.user) as client:
        for path in ("actuals", "care-package-line-items"):
            page = await client.get(f"/{provider.tenant.slug}/{path}")
            assert page.status_code == 403, path


async def test_a_week_at_the_calendars_ends_is_shown_or_refused_never_a_500(stack):
    """Year 1 and year 9999 are dates Python knows, but the week before the first and after the last are
    not: the page, and a refusal shown on it, answered 500 (OverflowError). Now such a week shows without
    that link, and a refusal of a week there shows on the page."""
    provider = await actuals_provider(stack, clients=1, timetable_every=0)
    slug, service_id = provider.tenant.slug, provider.package.service_id
    async with await pages_client(stack, provider.user) as client:
        first = await client.get(f"{provider.week_path}?week=0001-01-01")
        assert first.status_code == 200, first.text[:800]
        assert 'id="previous-week"' not in first.text and 'id="next-week"' in first.text
        last = await client.get(f"{provider.week_path}?week=31/12/9999")
        assert last.status_code == 200, last.text[:800]
        assert 'id="previous-week"' in last.text and 'id="next-week"' not in last.text
        for action in ("generate", "confirm"):  # a future week: refused, and the refusal shown
            answer = await post_form(
                client,
                provider.week_path,
                f"/{slug}/actuals/{service_id}/weeks/9999-12-27/{action}",
                {"version": "0"},
            )
            assert answer.status_code == 422, (action, answer.status_code)
            assert "has not started yet" in answer.text
        # nor a week before 2000 (shared.dates: asyncpg would keep 0001-01-01 as -infinity)
        answer = await post_form(
            client,
            provider.week_path,
            f"/{slug}/actuals/{service_id}/weeks/0001-01-01/confirm",
            {"version": "0"},
        )
        assert answer.status_code == 422, answer.text[:800]
        assert "is before 2000: weeks are kept from 03/01/2000" in answer.text
