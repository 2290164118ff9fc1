"""The Scheduled Payments pages through the real gateway and payments service: the home card (the next
payment and how many to confirm), the list of a year's periods with the CURRENT one, a payment's page
(header and lines), confirming it, disputing a line with a reason, and the refusals (no reason, a
stale page, a read-only person, another provider's payment), each changing nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.payments.integration.scheduled import CONFIRMED, DISPUTED, published, rows_of
from tests.payments.remittance_support import issue_remittance
from tests.payments.support import financial_year, payments_conn
from tests.support.actuals_pages import csrf_of, pages_client
from tests.support.scheduled_payments_pages import (
    any_id,
    cells,
    line_id,
    monday,
    payments_provider,
    post_on,
    summary,
)


def long(day) -> str:
    return f"{day.day} {day:%B %Y}"


async def test_the_home_card_names_the_next_payment_and_counts_those_to_confirm(stack):
    provider = await payments_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        home = await client.get(f"/{provider.tenant.slug}/home")
        assert home.status_code == 200
        cards = re.findall(r'portal-card__link" href="([^"]+)">([^<]+)<', home.text)
        assert cards[0] == (provider.base, "Scheduled Payments")
        pay_date = monday(2) + timedelta(days=6 + 9)
        when = f"on {long(pay_date)}" if pay_date >= date.today() else f", due {long(pay_date)}, not yet paid"
        assert f"Next payment £656.11 {when}; 2 payments to confirm".replace(" ,", ",") in home.text


async def test_the_list_the_payment_and_confirming_it(stack):
    provider = await payments_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        listing = await client.get(provider.base)
        assert listing.status_code == 200, listing.text[:500]
        rows = cells(listing.text, "payments")
        name = provider.payee.contract_name
        expected = []
        for weeks, status, total in (
            (1, "Unconfirmed", "£1,089.01"),
            (2, "Unconfirmed", "£656.11"),
            (3, "Finalised", "£656.11"),
        ):
            start = monday(weeks)
            if financial_year(start) != financial_year(date.today()):
                continue  # the list opens at this year
            current = " Current" if weeks == 2 else ""
            pay_date = (start + timedelta(days=15)).strftime("%d/%m/%Y")
            expected.append(
                [
                    f"{long(start)} to {long(start + timedelta(days=6))}, {name}{current}",
                    name,
                    pay_date,
                    status,
                    total,
                ]
            )
        assert rows == expected
        page = await client.get(f"{provider.base}/{provider.current.payment_id}")
        assert page.status_code == 200
        assert "Unconfirmed" in page.text and 'id="confirm-payment"' in page.text
        assert 'id="payment-current"' in page.text
        lines = cells(page.text, "lines")
        assert [row[1:6] for row in lines] == [  # the status before the amounts: seen at 375 px too
            [lines[0][1], "Payable", "£353.08", "£0.00", "£353.08"],
            [lines[1][1], "Payable", "£303.03", "£0.00", "£303.03"],
        ]
        assert lines[0][1].startswith("Simpson, Bart (C") and lines[1][1].startswith("Testing, CLA (C")
        assert re.search(r'id="payment-payable"><strong>£656.11<', page.text)

        done = await post_on(
            client,
            f"{provider.base}/{provider.current.payment_id}",
            f"{provider.base}/{provider.current.payment_id}/confirm",
            {},
        )
        assert done.status_code == 303 and done.headers["location"].endswith("?done=confirmed")
        page = await client.get(done.headers["location"])
        assert "Payment confirmed" in page.text and ">Confirmed<" in page.text
        assert 'id="confirm-payment"' not in page.text and 'id="dispute-payment"' not in page.text
    assert [e["status"] for e in await published(stack.env, CONFIRMED, provider.current.payment_id)] == [
        "confirmed"
    ]


async def test_disputing_a_line_with_a_reason(stack):
    provider = await payments_provider(stack)
    path = f"{provider.base}/{provider.later.payment_id}"
    bart = line_id(provider.later, 0)
    async with await pages_client(stack, provider.user) as client:
        before = await rows_of(stack.env, provider.later.payment_id)
        refused = await post_on(client, path, f"{path}/dispute", {"line_ids": [bart], "reason": "  "})
        assert refused.status_code == 422 and summary(refused.text) == ["reason"]
        assert "Enter the reason for the dispute" in refused.text
        assert f'value="{bart}" checked' in refused.text  # the ticks kept
        too_long = await post_on(client, path, f"{path}/dispute", {"line_ids": [bart], "reason": "x" * 5000})
        assert too_long.status_code == 422 and summary(too_long.text) == ["reason"]
        assert "Reason for the dispute must be 1,000 characters or fewer (it has 5,000)" in too_long.text
        assert await rows_of(stack.env, provider.later.payment_id) == before

        done = await post_on(
            client, path, f"{path}/dispute", {"line_ids": [bart], "reason": "Bart left on 3 October"}
        )
        assert done.status_code == 303 and done.headers["location"].endswith("?done=disputed")
        page = await client.get(done.headers["location"])
        assert "Dispute sent" in page.text and ">Disputed<" in page.text
        assert "Bart left on 3 October" in page.text
        assert re.search(r'id="payment-payable"><strong>£735.93<', page.text)
        assert f'value="{bart}"' not in page.text  # a disputed line cannot be ticked again
    [event] = await published(stack.env, DISPUTED, provider.later.payment_id)
    assert event["disputed_line_ids"] == [bart]


async def test_refusals_change_nothing(stack):
    provider = await payments_provider(stack)
    other = await payments_provider(stack)
    path = f"{provider.base}/{provider.current.payment_id}"
    async with await pages_client(stack, provider.user) as client:
        page = await client.get(path)
        token = csrf_of(page)
        before = await rows_of(stack.env, provider.current.payment_id)
        theirs_before = await rows_of(stack.env, other.current.payment_id)
        stale = await client.post(f"{path}/confirm", data={"csrf_token": token, "version": "9"})
        assert stale.status_code == 409 and "Someone else changed this payment" in stale.text
        no_csrf = await client.post(f"{path}/confirm", data={"version": "1"})
        assert no_csrf.status_code in (400, 403)
        foreign = await client.post(
            f"{provider.base}/{other.current.payment_id}/confirm", data={"csrf_token": token, "version": "1"}
        )
        assert foreign.status_code == 404
        theirs = await client.get(f"{provider.base}/{other.current.payment_id}")
        assert theirs.status_code == 404 and other.payee.contract_name not in theirs.text
        not_an_id = await client.get(f"{provider.base}/not-an-id")
        assert not_an_id.status_code == 404
        assert (await client.get(f"{provider.base}/{any_id()}")).status_code == 404
        assert await rows_of(stack.env, provider.current.payment_id) == before
        assert await rows_of(stack.env, other.current.payment_id) == theirs_before

    reader = await payments_provider(stack, can_edit=False)
    async with await pages_client(stack, reader.user) as client:
        path = f"{reader.base}/{reader.current.payment_id}"
        page = await client.get(path)
        assert page.status_code == 200 and 'id="read-only"' in page.text
        assert 'id="confirm-payment"' not in page.text and 'id="dispute-payment"' not in page.text
        refused = await client.post(f"{path}/confirm", data={"csrf_token": csrf_of(page), "version": "1"})
        assert refused.status_code == 403
    assert (await rows_of(stack.env, reader.current.payment_id))[0]["status"] == "unconfirmed"


async def test_a_finalised_payment_links_to_its_remittance_advice(stack):
    provider = await payments_provider(stack)
    async with payments_conn(stack.env) as conn:
        remittance_id = await issue_remittance(conn, provider.payee, provider.finalised, reference="RA-E2E-1")
    async with await pages_client(stack, provider.user) as client:
        page = await client.get(f"{provider.base}/{provider.finalised.payment_id}")
        assert page.status_code == 200
        link = re.search(r'href="([^"]+)" id="payment-remittance">([^<]+)<', page.text)
        assert link, page.text[:2000]
        assert link.groups() == (f"/{provider.tenant.slug}/remittances/{remittance_id}", "RA-E2E-1")
        advice = await client.get(link.group(1))
        assert advice.status_code == 200 and "RA-E2E-1" in advice.text
        # A payment not finalised has no remittance yet.
        current = await client.get(f"{provider.base}/{provider.current.payment_id}")
        assert 'id="payment-remittance"' not in current.text
