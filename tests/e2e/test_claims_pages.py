"""The One-Off Claims pages through the real gateway and claims service: the home card (Durham offers
claims, Telford & Wrekin none), and the seed's journey (a new claim, a client item and a provider item
with their attachments, one edited, one removed after its confirmation, the claim submitted, the
council's decision with one item excluded, and what the provider then sees), a rejected claim with its
reason, and the list in pages, newest claim first. Bad input, read-only users
and other providers' claims: test_claims_pages_refused.py."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from tests.claims.support import published
from tests.support.actuals_pages import csrf_of, pages_client
from tests.support.claims_pages import (
    CARER_MILEAGE,
    CLIENT_MILEAGE,
    PARKING,
    PDF,
    PNG,
    TELFORD,
    cells,
    claim_page,
    claims_provider,
    council_claim,
    decide,
    hidden,
    new_claim,
    post_item,
)


async def test_the_home_card_follows_the_authoritys_offer(stack):
    durham = await claims_provider(stack, role="finance")
    async with await pages_client(stack, durham.user) as client:
        home = await client.get(f"/{durham.tenant.slug}/home")
        assert home.status_code == 200
        cards = re.findall(r'portal-card__link" href="([^"]+)">([^<]+)<', home.text)
        assert cards == [
            (f"/{durham.tenant.slug}/scheduled-payments", "Scheduled Payments"),
            (durham.base, "One-Off Claims"),
            (f"/{durham.tenant.slug}/purchase-orders", "Purchase Orders"),
            (f"/{durham.tenant.slug}/reports", "Reports"),
            (f"/{durham.tenant.slug}/invoices", "Invoices"),
        ]
        assert "View and create One-Off Claims" in home.text
    telford = await claims_provider(stack, slug=TELFORD, role="finance", levels=False)
    async with await pages_client(stack, telford.user) as client:
        home = await client.get(f"/{TELFORD}/home")
        assert home.status_code == 200
        cards = re.findall(r'portal-card__link" href="([^"]+)">([^<]+)<', home.text)
        assert cards == [
            (f"/{TELFORD}/scheduled-payments", "Scheduled Payments"),
            (f"/{TELFORD}/purchase-orders", "Purchase Orders"),
            (f"/{TELFORD}/reports", "Reports"),
            (f"/{TELFORD}/invoices", "Invoices"),
        ]  # no One-Off Claims card
        page = await client.get(telford.base)
        assert page.status_code == 200 and 'id="not-offered"' in page.text
        assert "does not take one-off claims through the portal" in page.text
        assert 'id="new-claim"' not in page.text


async def test_the_seeds_journey_from_a_new_claim_to_the_councils_decision(stack):
    provider = await claims_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        listing = await client.get(provider.base)
        assert listing.status_code == 200
        assert "approved to do so" in listing.text and 'id="new-claim"' in listing.text
        assert 'id="no-claims"' in listing.text
        form = await client.get(f"{provider.base}/new")
        today = date.today()
        assert f'name="claim_date-day" type="text" inputmode="numeric" value="{today.day}"' in form.text

        claim_id = await new_claim(client, provider, "Mileage claim for 1st - 6th September")
        page = (await client.get(f"{provider.base}/{claim_id}?done=created")).text  # where it was sent
        assert ">Unsubmitted<" in page and "£0.00" in page and "Claim created" in page
        assert "No One-Off Claim Client Items" in page and "No One-Off Claim Provider Items" in page
        assert "Please do not use this option to claim for any other type of payment." in page

        added = await post_item(
            client,
            provider,
            claim_id,
            "client",
            {"description": "School runs", "quantity": "150"},
            level=CLIENT_MILEAGE,
            file=("mileage.pdf", PDF, "application/pdf"),
        )
        assert added.status_code == 303, added.text[:1500]
        parking = await post_item(
            client,
            provider,
            claim_id,
            "provider",
            {"description": "Parking at training", "quantity": "1", "unit_cost": "4.50"},
            level=PARKING,
            file=("ticket.png", PNG, "image/png"),
        )
        assert parking.status_code == 303, parking.text[:1500]
        training = await post_item(
            client,
            provider,
            claim_id,
            "provider",
            {"description": "Training mileage", "quantity": "10"},
            level=CARER_MILEAGE,
        )
        assert training.status_code == 303, training.text[:1500]
        page = await claim_page(client, provider, claim_id)
        client_rows = cells(page, "client-items")
        assert client_rows[0][:7] == [
            "School runs",
            CLIENT_MILEAGE,
            "Testing, CLA",
            "150",
            "£0.39",
            "£58.05",
            "mileage.pdf (attachment of School runs)",
        ]
        provider_rows = {row[0]: row for row in cells(page, "provider-items")}
        assert provider_rows["Parking at training"][2:6] == ["1", "£4.50", "Ticket", "£4.50"]
        assert provider_rows["Training mileage"][2:6] == ["10", "£0.39", "Mile", "£3.87"]
        assert re.search(r'id="claim-total">£66\.42<', page)

        # The attachment comes through the claim's own address, as it was sent.
        link = re.search(r'href="([^"]+/attachment)">mileage\.pdf', page).group(1)
        download = await client.get(link)
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["content-type"].startswith("application/pdf")
        assert "mileage.pdf" in download.headers["content-disposition"]

        # Edit the client item: 100 miles now.
        school = re.search(
            r'href="[^"]+/items/([0-9a-f-]{36})/edit">edit<span[^>]*> School runs', page
        ).group(1)
        edited = await post_item(
            client,
            provider,
            claim_id,
            "client",
            {"description": "School runs", "quantity": "100", "attachment_action": "keep"},
            level=CLIENT_MILEAGE,
            edit=school,
        )
        assert edited.status_code == 303, edited.text[:1500]
        page = (await client.get(edited.headers["location"])).text
        assert cells(page, "client-items")[0][5] == "£38.70" and "Item saved" in page

        # Remove the training mileage, after the question.
        training_id = re.search(
            r'href="[^"]+/items/([0-9a-f-]{36})/remove">remove<span[^>]*> Training mileage', page
        ).group(1)
        question = await client.get(f"{provider.base}/{claim_id}/items/{training_id}/remove")
        assert question.status_code == 200 and "Are you sure you want to remove this item?" in question.text
        assert "Training mileage" in question.text
        removed = await client.post(
            f"{provider.base}/{claim_id}/items/{training_id}/remove",
            data={"csrf_token": csrf_of(question), "version": hidden(question.text, "version")},
        )
        assert removed.status_code == 303, removed.text[:800]
        page = await claim_page(client, provider, claim_id)
        assert "Training mileage" not in page and re.search(r'id="claim-total">£43\.20<', page)

        submitted = await client.post(
            f"{provider.base}/{claim_id}/submit",
            data={
                "csrf_token": csrf_of(await client.get(f"{provider.base}/{claim_id}")),
                "version": hidden(page, "version"),
            },
        )
        assert submitted.status_code == 303, submitted.text[:800]
        page = await claim_page(client, provider, claim_id)
        assert ">Pending<" in page and 'id="pending-note"' in page
        for absent in (
            'id="submit-claim"',
            'id="add-client-item"',
            "/edit",
            "/remove",
            'id="change-details"',
        ):
            assert absent not in page
        assert cells(page, "client-items")[0][7:9] == ["No", "-"]
        # Nor are its forms offered at their addresses: the claim's page, which says why.
        item_id = re.search(r'href="[^"]+/items/([0-9a-f-]{36})">view', page).group(1)
        for form in ("details", "items/new?kind=client", f"items/{item_id}/edit", f"items/{item_id}/remove"):
            moved = await client.get(f"{provider.base}/{claim_id}/{form}")
            assert (moved.status_code, moved.headers.get("location")) == (
                303,
                f"{provider.base}/{claim_id}",
            ), form

        claim = await council_claim(stack, provider.tenant, claim_id)
        parking_id = claim["provider_items"][0]["item_id"]
        decided = await decide(
            stack,
            provider.tenant,
            claim_id,
            "accepted",
            [
                {
                    "item_id": parking_id,
                    "included": False,
                    "la_notes": "Parking is paid by the training provider",
                }
            ],
        )
        assert decided.status_code == 200, decided.text
        # What payments receives: one decided event, with the included item's amount only.
        [event] = await published(stack.env, "claims.claim.decided.v1", claim_id)
        assert (event["decision"], Decimal(event["accepted_total"])) == ("accepted", Decimal("38.70"))
        assert [(Decimal(i["amount"]), i["client_id"] is not None) for i in event["accepted_items"]] == [
            (Decimal("38.70"), True)
        ]
        page = await claim_page(client, provider, claim_id)
        # Payable: the included item only; claimed: both.
        assert ">Accepted<" in page and re.search(r'id="claim-total">£38\.70<', page)
        assert re.search(r'id="claim-claimed">£43\.20<', page)
        assert cells(page, "client-items")[0][7:9] == ["No", "Yes"]
        assert cells(page, "provider-items")[0][7:9] == ["Yes", "No"]
        view = re.search(
            r'href="([^"]+/items/[0-9a-f-]{36})">view<span[^>]*> Parking at training', page
        ).group(1)
        item = await client.get(view)
        assert item.status_code == 200 and "Parking is paid by the training provider" in item.text
        assert re.search(r'id="item-included">No<', item.text)

        listing = await client.get(provider.base)
        row = cells(listing.text, "claims")[0]
        assert row[1:] == ["Mileage claim for 1st - 6th September", "Accepted", "£38.70"]


async def test_a_rejected_claim_shows_the_reason_and_no_item_included(stack):
    provider = await claims_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        claim_id = await new_claim(client, provider, "October")
        added = await post_item(
            client,
            provider,
            claim_id,
            "client",
            {"description": "School runs", "quantity": "20"},
            level=CLIENT_MILEAGE,
        )
        assert added.status_code == 303
        page = await claim_page(client, provider, claim_id)
        submitted = await client.post(
            f"{provider.base}/{claim_id}/submit",
            data={"csrf_token": csrf_of(await client.get(provider.base)), "version": hidden(page, "version")},
        )
        assert submitted.status_code == 303
        decided = await decide(
            stack, provider.tenant, claim_id, "rejected", [], reason="Mileage for school runs is in the fee"
        )
        assert decided.status_code == 200, decided.text
        page = await claim_page(client, provider, claim_id)
        assert ">Rejected<" in page and 'id="decided-note"' in page
        assert re.search(r'id="claim-reason">Mileage for school runs is in the fee<', page)
        assert cells(page, "client-items")[0][7:9] == ["No", "No"]
        # Nothing is payable of a rejected claim; what was claimed is still shown.
        assert re.search(r'id="claim-total">£0\.00<', page) and re.search(r'id="claim-claimed">£[1-9]', page)
        assert 'id="submit-claim"' not in page
        listing = await client.get(provider.base)
        assert cells(listing.text, "claims")[0][2:] == ["Rejected", "£0.00"]


async def test_the_list_comes_in_pages_newest_claim_first(stack):
    provider = await claims_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        form = await client.get(f"{provider.base}/new")
        for back in range(26):
            day = date.today() - timedelta(days=back)
            created = await client.post(
                f"{provider.base}/new",
                data={
                    "csrf_token": csrf_of(form),
                    "claim_date-day": str(day.day),
                    "claim_date-month": str(day.month),
                    "claim_date-year": str(day.year),
                    "notes": f"Claim {back}",
                },
            )
            assert created.status_code == 303, created.text[:500]
        first = await client.get(provider.base)
        rows = cells(first.text, "claims")
        assert len(rows) == 25 and rows[0][1] == "Claim 0" and rows[-1][1] == "Claim 24"
        assert rows[0][2] == "Unsubmitted" and rows[0][3] == "£0.00"
        assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
        second = await client.get(provider.base, params={"page": "2"})
        assert [row[1] for row in cells(second.text, "claims")] == ["Claim 25"]
        assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
