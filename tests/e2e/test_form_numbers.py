"""A number typed into a page form is read only when it is one: ASCII digits, a few of them.
`str.isdigit()` takes "²" and fullwidth digits, which `int()` then refuses, and `int()` refuses more than
4,300 digits; either was a 500. Now the page shows the problem at its field (or the service's refusal)
and nothing changes."""

from __future__ import annotations

import re
from datetime import date

from tests.support.actuals_pages import actuals_provider, csrf_of, last_week, pages_client
from tests.support.claims_pages import claims_provider

MANY_DIGITS = "9" * 5000


async def test_a_line_form_and_confirm_with_numbers_that_are_no_numbers(stack):
    provider = await actuals_provider(stack, clients=1, timetable_every=0)
    week = last_week()
    week_url = f"{provider.week_path}?week={week.isoformat()}"
    base = f"/{provider.tenant.slug}/actuals/{provider.package.service_id}/weeks/{week}"
    async with await pages_client(stack, provider.user) as client:
        page = await client.get(week_url)
        generated = await client.post(f"{base}/generate", data={"csrf_token": csrf_of(page)})
        page = await client.get(generated.headers["location"])
        edit = re.search(r'href="([^"]+/lines/[^"]+)">Add/Edit', page.text).group(1).replace("&amp;", "&")
        form = await client.get(edit)
        version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
        for visits in ("²", MANY_DIGITS):
            refused = await client.post(
                edit,
                data={"csrf_token": csrf_of(form), "version": version, "actual": "10", "visits": visits},
            )
            assert refused.status_code == 422, refused.text[:800]
            assert 'href="#visits"' in refused.text
        for stale in ("²", MANY_DIGITS):
            confirm = await client.post(
                f"{base}/confirm", data={"csrf_token": csrf_of(page), "version": stale}
            )
            assert confirm.status_code in (409, 422), confirm.text[:800]
        page = await client.get(week_url)
        assert 'id="confirm"' in page.text  # the week is not confirmed
        after = await client.get(edit)  # nothing saved: the week's version is as it was
        assert re.search(r'name="version" value="(\d+)"', after.text).group(1) == version


async def test_a_claim_date_with_digits_that_are_no_numbers_is_named(stack):
    provider = await claims_provider(stack)
    today = date.today()
    async with await pages_client(stack, provider.user) as client:
        form = await client.get(f"{provider.base}/new")
        for day in ("²", "\uff12", MANY_DIGITS):  # a superscript and a fullwidth 2
            refused = await client.post(
                f"{provider.base}/new",
                data={
                    "csrf_token": csrf_of(form),
                    "claim_date-day": day,
                    "claim_date-month": str(today.month),
                    "claim_date-year": str(today.year),
                },
            )
            assert refused.status_code == 422, refused.text[:800]
            summary = refused.text.split("govuk-error-summary__list", 1)[-1][:800]
            assert "must include a day, month and year, in numbers" in summary, summary
